"use client";
/** Renders the page again on the server: a new request through the middleware, a new timeline entry. */
import { useRouter } from "next/navigation";
import { useTransition } from "react";

export function ReloadButton() {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <button
      type="button"
      className="button"
      data-testid="reload"
      disabled={pending}
      onClick={() => startTransition(() => router.refresh())}
    >
      {pending ? "Checking…" : "Check again"}
    </button>
  );
}
