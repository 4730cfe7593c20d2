/**
 * next-auth v4 options: the app's own provider and pages, wrapped with withSessionRefresh (src/next/public.ts),
 * exactly as an existing app does it (MIGRATING.md): the shared codec in jwt.encode/decode, the jwt callback
 * refreshing through the coordinator (so /api/auth/session from a refocused tab joins a running refresh), a
 * session without tokens, sign-out revoking at the backend.
 */
import type { AuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { withSessionRefresh, type BackendUser } from "@/next/public";
import { sessionRuntime } from "@/next/runtime";
import { sameOriginRedirect } from "@/core/navigation/callback-path";
import { credentialsError } from "./messages";

let built: AuthOptions | undefined;

/** The options, built once per isolate on first use (so a bad setting is reported at request time, not build time). */
export function authOptions(): AuthOptions {
  built ??= buildAuthOptions();
  return built;
}

function buildAuthOptions(): AuthOptions {
  const { backend, onEvent } = sessionRuntime();

  return withSessionRefresh({
    pages: { signIn: "/login", error: "/login" },
    // Open-redirect guard: only paths on baseUrl's origin (src/core/navigation/callback-path.ts).
    callbacks: { redirect: async ({ url, baseUrl }) => sameOriginRedirect(url, baseUrl) },
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
  });
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : typeof value === "number" ? String(value) : undefined;
}
