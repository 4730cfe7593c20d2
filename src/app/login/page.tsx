import { loginErrorText } from "@/auth/messages";
import { sanitizeCallbackPath } from "edge-session-refresh/next";
import { APP_NAME, AppHeader } from "../app-header";
import { LoginForm } from "./login-form";

export const dynamic = "force-dynamic";
export const metadata = { title: `Sign in · ${APP_NAME}` };

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
  return (
    <>
      <AppHeader current="login" />
      <main className="page page--narrow">
        <section className="card card--login" aria-labelledby="login-title">
          <h1 id="login-title">Sign in</h1>
          <p className="muted">
            Use your account with the backend. Your session stays signed in across tabs while tokens rotate behind the
            scenes.
          </p>
          <LoginForm
            callbackPath={sanitizeCallbackPath(first(params.callbackUrl))}
            initialError={loginErrorText(first(params.error))}
          />
        </section>
        {process.env.NODE_ENV !== "production" ? (
          <p className="muted small center">
            Reference backend: <code>demo@example.com</code> / <code>demo-password</code>
          </p>
        ) : null}
      </main>
    </>
  );
}
