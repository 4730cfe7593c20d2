"use client";
/** The sign-in form: posts to next-auth's credentials callback and shows the backend's refusal. */
import { signIn } from "next-auth/react";
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
      setError(result?.error === "CredentialsSignin" || !result?.error ? "Invalid email or password." : result.error);
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
