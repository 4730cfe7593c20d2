/**
 * The sign-in limits on every Credentials provider, through next-auth's own handler (NextAuth(req, res,
 * options), the Pages Router API handler over next-auth/core's AuthHandler: /api/auth/callback/credentials,
 * csrf check included) and the isolate's
 * runtime from process.env, as in an app: a hand-written authorize() that never passes `req` on (MIGRATING's
 * "keep your own fetch"), credentialsFromBackend() under the wrapper (counted once), and the demo's shape
 * (a hand-written authorize calling credentialsFromBackend).
 */
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuthOptions } from "next-auth";
import NextAuth from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { startReferenceBackend, type ReferenceBackend } from "../../../../dev/backend/server";
import { DEMO_EMAIL, DEMO_PASSWORD } from "../../../../test-support/services";
import { credentialsFromBackend, withBackendTokens } from "./credentials";
import { withSessionRefresh } from "./with-session-refresh";

const SECRET = "credentials-limits-test-secret-0123456789";
let backend: ReferenceBackend;

beforeAll(async () => {
  backend = await startReferenceBackend();
  process.env.NEXTAUTH_SECRET = SECRET;
  process.env.NEXTAUTH_URL = "http://localhost:3000";
  process.env.BACKEND_URL = backend.url;
  process.env.SESSION_STORE_ANNOUNCED = "1";
  process.env.SIGNIN_CLIENT_IP_HEADER = "x-forwarded-for";
});

afterAll(async () => {
  await backend?.close();
});

/** One POST to /api/auth/callback/credentials through next-auth's handler; the error it redirects with, if any. */
async function signIn(
  options: AuthOptions,
  fields: Record<string, string>,
  address = "198.51.100.7",
): Promise<{ ok: boolean; error: string | null }> {
  const csrfToken = randomBytes(32).toString("hex");
  const hash = createHash("sha256").update(`${csrfToken}${SECRET}`).digest("hex");
  let answer: { url?: string } = {};
  const req = {
    method: "POST",
    query: { nextauth: ["callback", "credentials"] },
    headers: {
      host: "localhost:3000",
      "x-forwarded-for": address,
      "content-type": "application/x-www-form-urlencoded",
    },
    cookies: { "next-auth.csrf-token": `${csrfToken}|${hash}` },
    body: { ...fields, csrfToken, callbackUrl: "/", json: "true" },
  };
  const res = {
    status: () => res,
    setHeader: () => res,
    getHeader: () => undefined,
    end: () => undefined,
    send: () => undefined,
    json: (body: { url?: string }) => (answer = body),
  };
  await (NextAuth as unknown as (req: unknown, res: unknown, options: AuthOptions) => Promise<void>)(req, res, options);
  const response = { redirect: answer.url };
  const redirect = new URL(response.redirect ?? "http://localhost:3000/", "http://localhost:3000");
  expect(redirect.searchParams.get("csrf")).toBeNull();
  const error = redirect.searchParams.get("error");
  return { ok: error === null, error };
}

/** MIGRATING's "keep your own fetch": authorize() calls the backend itself and never passes `req` on. */
function ownFetchProvider(calls: { count: number }) {
  return CredentialsProvider({
    credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
    async authorize(credentials) {
      calls.count += 1;
      const response = await fetch(`${backend.url}/api/auth`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: credentials?.email, password: credentials?.password }),
      });
      if (!response.ok) return null;
      return withBackendTokens({ id: "user-1", email: credentials!.email }, await response.json());
    },
  });
}

describe("sign-in limits on every Credentials provider", () => {
  it("a hand-written authorize that never passes req on: 30 wrong passwords from one address, 5 reach the backend", async () => {
    const calls = { count: 0 };
    const options = withSessionRefresh({ pages: { signIn: "/login" }, providers: [ownFetchProvider(calls)] });
    const results = [];
    for (let i = 0; i < 30; i++)
      results.push(await signIn(options, { email: "victim@example.com", password: `guess-${i}` }));
    expect(calls.count).toBe(5);
    expect(results.slice(0, 5).map((result) => result.error)).toEqual(Array(5).fill("CredentialsSignin"));
    for (const result of results.slice(5))
      expect(result.error).toMatch(/^Too many attempts; try again in \d+ minutes?\.$/);
    // Another address may still try the account (up to the account's own ceiling).
    expect((await signIn(options, { email: "victim@example.com", password: "guess" }, "203.0.113.9")).error).toBe(
      "CredentialsSignin",
    );
    expect(calls.count).toBe(6);
  });

  it("a success clears the account-address counter: the person who finally remembers is not locked out", async () => {
    const calls = { count: 0 };
    const options = withSessionRefresh({ pages: { signIn: "/login" }, providers: [ownFetchProvider(calls)] });
    const address = "198.51.100.20";
    for (let i = 0; i < 4; i++)
      expect((await signIn(options, { email: DEMO_EMAIL, password: `wrong-${i}` }, address)).error).toBe(
        "CredentialsSignin",
      );
    expect(await signIn(options, { email: DEMO_EMAIL, password: DEMO_PASSWORD }, address)).toEqual({
      ok: true,
      error: null,
    });
    for (let i = 0; i < 4; i++)
      expect((await signIn(options, { email: DEMO_EMAIL, password: `wrong-${i}` }, address)).error).toBe(
        "CredentialsSignin",
      );
    expect(calls.count).toBe(9);
  });

  it("credentialsFromBackend() under the wrapper counts each attempt once, with its own identifier field and message", async () => {
    backend.resetStats();
    const limited = (minutes: number) => `limited:${minutes}`;
    const options = withSessionRefresh({
      providers: [
        CredentialsProvider({
          credentials: { login: {}, secret: { type: "password" } },
          authorize: credentialsFromBackend({
            identifierField: "login",
            passwordField: "secret",
            errors: { unavailable: "u", misconfigured: "m", limited },
          }),
        }),
      ],
    });
    const results = [];
    for (let i = 0; i < 8; i++)
      results.push((await signIn(options, { login: "once@example.com", secret: `wrong-${i}` }, "198.51.100.30")).error);
    // Counted twice, the limit of 5 would stop the third attempt.
    expect(results).toEqual([
      ...Array(5).fill("CredentialsSignin"),
      ...Array(3).fill(expect.stringMatching(/^limited:\d+$/)),
    ]);
    expect(backend.stats()).toMatchObject({ loginFailures: 5 });
  });

  it("the demo's shape (a hand-written authorize calling credentialsFromBackend with credentials and req) counts once", async () => {
    backend.resetStats();
    const signInAtBackend = credentialsFromBackend();
    const options = withSessionRefresh(
      {
        providers: [
          CredentialsProvider({
            credentials: { identifier: { type: "text" }, password: { type: "password" } },
            async authorize(credentials, request) {
              return signInAtBackend(credentials, request);
            },
          }),
        ],
      },
      { signIn: { limitedMessage: (minutes) => `wait:${minutes}` } },
    );
    const results = [];
    for (let i = 0; i < 7; i++)
      results.push(
        (await signIn(options, { identifier: "demo-shape@example.com", password: `wrong-${i}` }, "198.51.100.40"))
          .error,
      );
    expect(results).toEqual([
      ...Array(5).fill("CredentialsSignin"),
      ...Array(2).fill(expect.stringMatching(/^wait:\d+$/)),
    ]);
    expect(backend.stats()).toMatchObject({ loginFailures: 5 });
  });

  it("the account is the first field that is not a password, or signIn.identifierField", async () => {
    const seen: string[] = [];
    const provider = (credentials: Record<string, object>) =>
      CredentialsProvider({
        credentials,
        async authorize(fields) {
          seen.push(JSON.stringify(fields));
          return null;
        },
      });
    // "username" comes after the password here but is the only non-password field.
    const byOrder = withSessionRefresh({ providers: [provider({ password: { type: "password" }, username: {} })] });
    for (let i = 0; i < 6; i++) await signIn(byOrder, { username: "same-user", password: `p${i}` }, "198.51.100.50");
    expect(seen).toHaveLength(5);
    // Told which field it is: "tenant" is ignored, "email" counted.
    const told = withSessionRefresh(
      { providers: [provider({ tenant: {}, email: {}, password: { type: "password" } })] },
      { signIn: { identifierField: "email" } },
    );
    for (let i = 0; i < 6; i++)
      await signIn(told, { tenant: `t${i}`, email: "told@example.com", password: "p" }, "198.51.100.51");
    expect(seen).toHaveLength(10);
  });

  it("other providers are untouched, and both places next-auth reads authorize from are wrapped", () => {
    const credentials = CredentialsProvider({ credentials: { email: {} }, authorize: async () => null });
    const other = { id: "github", type: "oauth" } as unknown as AuthOptions["providers"][number];
    const [wrapped, untouched] = withSessionRefresh({ providers: [credentials, other] }).providers as unknown as Array<{
      authorize: unknown;
      options?: { authorize: unknown };
    }>;
    expect(untouched).toBe(other);
    expect(wrapped!.authorize).not.toBe(credentials.authorize);
    expect(wrapped!.options!.authorize).toBe(wrapped!.authorize);
  });
});
