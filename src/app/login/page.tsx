import { loginErrorText } from "@/auth/messages";
import { safeCallbackPath } from "@/next/routes";
import { LoginForm } from "./login-form";

export const dynamic = "force-dynamic";

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
  return (
    <main>
      <h1>Sign in</h1>
      <LoginForm callbackPath={safeCallbackPath(first(params.callbackUrl))} initialError={loginErrorText(first(params.error))} />
    </main>
  );
}
