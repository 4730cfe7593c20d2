/**
 * next-auth v4 options: the app's own provider and pages, wrapped with withSessionRefresh (edge-session-refresh/next),
 * exactly as an existing app does it (MIGRATING.md): the shared codec in jwt.encode/decode, the jwt callback
 * refreshing through the coordinator (so /api/auth/session from a refocused tab joins a running refresh), a
 * session without tokens, sign-out revoking at the backend.
 */
import type { AuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { credentialsFromBackend, withSessionRefresh } from "edge-session-refresh/next";
import { AFTER_SIGN_IN_PATH, LOGIN_PATH } from "@/app-config";
import { credentialsError, limitedError } from "./messages";
import { ownFetchAuthorize } from "./own-fetch-authorize";

let built: AuthOptions | undefined;

/** The options, built once per isolate on first use (so a bad setting is reported at request time, not build time). */
export function authOptions(): AuthOptions {
  built ??= buildAuthOptions();
  return built;
}

function buildAuthOptions(): AuthOptions {
  const signInAtBackend = credentialsFromBackend({
    errors: {
      unavailable: credentialsError("unavailable"),
      misconfigured: credentialsError("misconfigured"),
      limited: limitedError,
    },
  });

  // The open-redirect guard is withSessionRefresh's: only paths on this app, else AFTER_SIGN_IN_PATH.
  return withSessionRefresh(
    {
      pages: { signIn: LOGIN_PATH, error: LOGIN_PATH },
      providers: [
        CredentialsProvider({
          name: "Email and password",
          credentials: {
            identifier: { label: "Email", type: "text" },
            password: { label: "Password", type: "password" },
          },
          async authorize(credentials, request) {
            // MIGRATING's own-fetch route instead of the library's sign-in (integration/sign-in-limits.test.ts).
            if (process.env.DEMO_SIGN_IN === "own-fetch") return ownFetchAuthorize(credentials);
            // The login page shows only known codes (messages.ts): an empty form is ours to refuse, a wrong
            // password is the backend's null; the sign-in itself is the library's (src/next/credentials.ts).
            if (!credentials?.identifier?.trim() || !credentials.password) throw new Error(credentialsError("missing"));
            // `request` carries the headers: the person's address (SIGNIN_CLIENT_IP_HEADER) for the sign-in limits.
            const user = await signInAtBackend(credentials, request);
            if (user === null) throw new Error(credentialsError("rejected"));
            return user;
          },
        }),
      ],
    },
    // The sign-in limits wrap this provider's authorize (withSessionRefresh does it for every Credentials
    // provider); a refused attempt throws the login page's own code.
    { redirectFallbackPath: AFTER_SIGN_IN_PATH, signIn: { limitedMessage: limitedError } },
  );
}
