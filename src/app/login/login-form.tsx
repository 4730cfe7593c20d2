"use client";
/** The sign-in form: posts to next-auth's credentials callback and shows a known error's text. */
import { signIn } from "next-auth/react";
import { loginErrorText } from "@/auth/messages";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

export function LoginForm({ callbackPath, initialError }: { callbackPath: string; initialError: string | null }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(initialError);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    const result = await signIn("credentials", {
      redirect: false,
      identifier: String(form.get("identifier") ?? ""),
      password: String(form.get("password") ?? ""),
      callbackUrl: callbackPath,
    });
    setPending(false);
    if (!result || result.error) {
      // Only text from the fixed map: the error code travels through a URL and is never shown itself.
      setError(loginErrorText(result?.error ?? "CredentialsSignin"));
      return;
    }
    router.replace(callbackPath);
    router.refresh();
  }

  return (
    <form className="form" onSubmit={submit} aria-label="Sign in">
      {error ? (
        <p role="alert" className="notice notice--error" data-testid="login-error">
          {error}
        </p>
      ) : null}
      <label className="field">
        <span>Email</span>
        <input name="identifier" type="text" autoComplete="username" placeholder="you@example.com" required />
      </label>
      <label className="field">
        <span>Password</span>
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      <button type="submit" className="button button--primary button--block" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
