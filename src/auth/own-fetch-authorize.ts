/**
 * MIGRATING.md's "keep your own fetch" authorize(), as a recipe app has it after the migration: it calls the
 * backend itself, returns `withBackendTokens(…)`, and never passes next-auth's `req` on. The demo signs in
 * with it when `DEMO_SIGN_IN=own-fetch`, so integration/sign-in-limits.test.ts can show that the sign-in
 * limits hold on that route too (withSessionRefresh wraps every Credentials provider's authorize).
 */
import { withBackendTokens } from "edge-session-refresh/next";

export async function ownFetchAuthorize(credentials: Record<string, string> | undefined) {
  const response = await fetch(`${process.env.BACKEND_URL}/api/auth`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: credentials?.identifier, password: credentials?.password }),
  });
  if (!response.ok) {
    await response.body?.cancel();
    return null;
  }
  const body = (await response.json()) as { id?: string; user?: { id?: string; email?: string } };
  return withBackendTokens(
    { id: body.user?.id ?? body.id ?? credentials!.identifier!, email: credentials?.identifier },
    body,
  );
}
