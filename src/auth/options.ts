/**
 * next-auth v4 options. The shared codec is plugged into jwt.encode/decode, so next-auth's own routes
 * read and write exactly the cookie the middleware does; the jwt callback refreshes through the same
 * coordinator, so /api/auth/session from a refocused tab joins a running refresh instead of racing it.
 * The refresh token stays inside the encrypted cookie: the session callback never passes it on.
 */
import type { AuthOptions, User } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { asSessionClaims, isSessionError, SessionError, type BackendTokens } from "@/core";
import { sessionRuntime } from "@/next/runtime";
import { refreshAlreadyUnavailable } from "@/next/server-session";
import { credentialsError } from "./messages";
import { sameOriginRedirect } from "@/core/navigation/callback-path";

/** What authorize() hands to the jwt callback on sign-in. */
interface BackendUser extends User {
  readonly tokens: BackendTokens;
}

/** Thrown from the jwt callback when the backend refuses the refresh: next-auth then clears the cookies. */
function sessionRejected(): SessionError {
  return new SessionError("SESSION_REJECTED", "the backend refused the refresh token");
}

let built: AuthOptions | undefined;

/** The options, built once per isolate on first use (so a bad setting is reported at request time, not build time). */
export function authOptions(): AuthOptions {
  built ??= buildAuthOptions();
  return built;
}

function buildAuthOptions(): AuthOptions {
  const runtime = sessionRuntime();
  const { settings, codec, backend, coordinator, gate, onEvent } = runtime;

  return {
    secret: settings.secrets[0],
    useSecureCookies: settings.secureCookies,
    session: { strategy: "jwt", maxAge: settings.sessionMaxAgeSeconds },
    jwt: {
      maxAge: settings.sessionMaxAgeSeconds,
      encode: ({ token, maxAge }) => codec.encode(token ?? {}, maxAge),
      decode: async ({ token }) => codec.decode(token),
    },
    pages: { signIn: "/login", error: "/login" },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: {
          identifier: { label: "Email", type: "text" },
          password: { label: "Password", type: "password" },
        },
        async authorize(credentials) {
          const identifier = credentials?.identifier?.trim() ?? "";
          const password = credentials?.password ?? "";
          if (!identifier || !password) throw new Error(credentialsError("missing"));
          const login = await backend.login(identifier, password);
          if (login.kind === "rejected") throw new Error(credentialsError("rejected", login.message));
          if (login.kind === "misconfigured") {
            onEvent({ event: "backend-misconfigured", detail: `sign-in: ${login.detail}` });
            throw new Error(credentialsError("misconfigured"));
          }
          if (login.kind !== "ok") {
            onEvent({ event: "backend-unavailable", detail: `sign-in: ${login.detail}` });
            throw new Error(credentialsError("unavailable"));
          }
          const profile = await backend.profile(login.value.accessToken);
          const fields = profile.kind === "ok" ? profile.value : {};
          const user: BackendUser = {
            id: text(fields.id) ?? text(fields.sub) ?? identifier,
            name: text(fields.name) ?? text(fields.username) ?? null,
            email: text(fields.email) ?? (identifier.includes("@") ? identifier : null),
            tokens: login.value,
          };
          return user;
        },
      }),
    ],
    callbacks: {
      // Open-redirect guard: only paths on baseUrl's origin (src/core/navigation/callback-path.ts).
      redirect: async ({ url, baseUrl }) => sameOriginRedirect(url, baseUrl),
      async jwt({ token, user }) {
        if (user) {
          const { tokens } = user as BackendUser;
          return { sub: user.id, name: user.name, email: user.email, ...tokens };
        }
        const claims = asSessionClaims(token);
        if (claims === null) throw sessionRejected();
        // The middleware in front of /api/auth/session already asked the backend in this request.
        if (await refreshAlreadyUnavailable()) return { ...token, error: "RefreshUnavailable" };
        const step = await gate.refreshClaims(claims);
        switch (step.outcome) {
          case "valid":
            return token;
          case "refreshed":
          case "joined":
          case "replayed":
            return { ...step.claims };
          case "rejected":
            throw sessionRejected();
          case "unavailable":
            // Keep the session as it is; the next request tries again. The flag is not persisted
            // beyond this answer's cookie and disappears with the next successful refresh.
            return { ...token, error: "RefreshUnavailable" };
        }
      },
      async session({ session, token }) {
        // Built from scratch, so nothing of the token leaks by accident: no refresh token, no access token.
        return {
          expires: session.expires,
          user: { id: token.sub, name: token.name ?? null, email: token.email ?? null },
          accessTokenExpires: typeof token.accessTokenExpires === "number" ? token.accessTokenExpires : null,
          ...(token.error === "RefreshUnavailable" ? { error: "RefreshUnavailable" } : {}),
        };
      },
    },
    events: {
      // Sign-out ends the session at the backend too (server-side: the browser never sees the token), and
      // refuses the token's whole chain in the lock store, so a copied cookie cannot pick up a successor.
      // A failure is logged; the person is signed out locally whatever happens.
      async signOut({ token }) {
        const claims = asSessionClaims(token);
        if (claims !== null) await coordinator.signOut(claims.refreshToken);
      },
    },
    logger: {
      error(code, metadata) {
        // A refused refresh is an expected end of a session, not an error worth a stack trace.
        if (code === "JWT_SESSION_ERROR" && (isSessionError(metadata, "SESSION_REJECTED") || isSessionError((metadata as { error?: unknown })?.error, "SESSION_REJECTED"))) return;
        console.error(`[next-auth] ${code}`, metadata);
      },
      warn(code) {
        console.warn(`[next-auth] ${code}`);
      },
      debug() {},
    },
  };
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : typeof value === "number" ? String(value) : undefined;
}
