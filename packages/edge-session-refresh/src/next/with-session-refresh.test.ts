import { describe, expect, it } from "vitest";
import type { AuthOptions, CallbacksOptions, EventCallbacks } from "next-auth";
import { decode as nextAuthDecode, encode as nextAuthEncode, type JWT } from "next-auth/jwt";
import { createSessionRuntime, type SessionRuntime } from "../core/runtime";
import { parseSettings } from "../core/settings";
import { createMemoryLockStore } from "../stores/memory";
import { wrapAuthOptions } from "./with-session-refresh";
import { withBackendTokens } from "./credentials";

const SECRET = "wrapper-test-secret-0123456789abcdef";
const BACKEND = "http://backend.test";

interface Backend {
  readonly calls: string[];
  answer: "ok" | "refused";
}

/** A real runtime (codec, coordinator on the in-memory store, gate) over a fake backend that rotates. */
function runtimeWith(backend: Backend, env: Record<string, string> = {}): SessionRuntime {
  let generation = 0;
  const fetchStub: typeof fetch = async (input, init) => {
    const url = new URL(String(input instanceof Request ? input.url : input));
    const body = JSON.parse(String(init?.body ?? "{}")) as { refreshToken?: string };
    backend.calls.push(`${url.pathname} ${body.refreshToken ?? ""}`.trim());
    if (url.pathname === "/api/auth/logout") return new Response(null, { status: 204 });
    if (backend.answer === "refused") return Response.json({ message: "revoked" }, { status: 401 });
    generation += 1;
    return Response.json({
      data: {
        accessToken: `access-${generation + 1}`,
        refreshToken: `refresh-${generation + 1}`,
        accessTokenExpires: Date.now() + 600_000,
      },
    });
  };
  const settings = parseSettings({
    NEXTAUTH_SECRET: SECRET,
    BACKEND_URL: BACKEND,
    BACKEND_LOGOUT_PATH: "/api/auth/logout",
    SESSION_REFRESH_SKEW_SECONDS: "0",
    ...env,
  });
  return createSessionRuntime(settings, {
    fetch: fetchStub,
    store: createMemoryLockStore(),
    announceStore: false,
    onEvent: () => {},
  });
}

function wrap(app: AuthOptions, env: Record<string, string> = {}, backend: Backend = { calls: [], answer: "ok" }) {
  const runtime = runtimeWith(backend, env);
  return {
    options: wrapAuthOptions(app, { runtime: () => runtime, refreshAlreadyUnavailable: async () => false }),
    backend,
    runtime,
  };
}

type JwtParams = Parameters<CallbacksOptions["jwt"]>[0];
type SessionParams = Parameters<CallbacksOptions["session"]>[0];
const jwtOf = (options: AuthOptions) => (params: Partial<JwtParams>) => options.callbacks!.jwt!(params as JwtParams);
const sessionOf = (options: AuthOptions) => (params: Partial<SessionParams>) =>
  options.callbacks!.session!(params as SessionParams);

const expiredToken: JWT = {
  sub: "u1",
  name: "Ada",
  email: "ada@example.com",
  role: "admin",
  accessToken: "access-1",
  refreshToken: "refresh-1",
  accessTokenExpires: Date.now() - 1000,
};

/** An app's own options, as the recipe had them after MIGRATING.md: a role claim, a session callback that shows it. */
function appOptions(seen: { jwt: JWT[]; signOuts: number }): AuthOptions {
  return {
    providers: [],
    pages: { signIn: "/login" },
    callbacks: {
      async jwt({ token, user }) {
        seen.jwt.push({ ...token });
        if (user) token.role = user.email === "ada@example.com" ? "admin" : "member";
        // An app that still tries to set tokens of its own: ignored.
        token.accessToken = "app-overwrote-this";
        return token;
      },
      async session({ session, token }) {
        // The recipe's leaking lines, left in by mistake: they get nothing.
        return {
          ...session,
          role: token.role,
          accessToken: token.accessToken,
          refreshToken: token.refreshToken,
          copy: String(token.refreshToken),
        };
      },
    },
    events: {
      async signOut() {
        seen.signOuts += 1;
      },
    },
  };
}

describe("withSessionRefresh: the app's jwt callback", () => {
  it("at sign-in puts authorize()'s tokens in the token, then runs the app's callback, whose claims stay and whose tokens do not", async () => {
    const seen = { jwt: [] as JWT[], signOuts: 0 };
    const { options, backend } = wrap(appOptions(seen));
    const user = withBackendTokens(
      { id: "u1", name: "Ada", email: "ada@example.com" },
      { access_token: "access-1", refresh_token: "refresh-1", expires_in: 60 },
    );
    const token = await jwtOf(options)({
      token: { sub: "u1", name: "Ada", email: "ada@example.com" },
      user,
      trigger: "signIn",
      account: null,
    });
    expect(token).toMatchObject({ sub: "u1", role: "admin", accessToken: "access-1", refreshToken: "refresh-1" });
    expect(token.accessTokenExpires as number).toBeGreaterThan(Date.now() + 50_000);
    // The app's callback saw the tokens already in place (it may call the backend with them at sign-in).
    expect(seen.jwt[0]).toMatchObject({ accessToken: "access-1" });
    expect(backend.calls).toEqual([]);
  });

  it("refuses an authorize() that returned no tokens, with a message that says what to return", async () => {
    const { options } = wrap(appOptions({ jwt: [], signOuts: 0 }));
    await expect(jwtOf(options)({ token: { sub: "u1" }, user: { id: "u1" }, account: null })).rejects.toThrow(
      /authorize\(\) must return the backend's tokens as `tokens`/,
    );
  });

  it("refreshes an expired token through the coordinator BEFORE the app's callback, once for concurrent calls, keeping the app's claims", async () => {
    const seen = { jwt: [] as JWT[], signOuts: 0 };
    const { options, backend } = wrap(appOptions(seen));
    const tokens = await Promise.all(Array.from({ length: 10 }, () => jwtOf(options)({ token: { ...expiredToken } })));
    expect(backend.calls).toEqual(["/api/auth/refresh-token refresh-1"]);
    for (const token of tokens)
      expect(token).toMatchObject({ sub: "u1", role: "admin", accessToken: "access-2", refreshToken: "refresh-2" });
    // Every run of the app's callback already had the new tokens.
    expect(seen.jwt.map((token) => token.refreshToken)).toEqual(Array(10).fill("refresh-2"));
  });

  it("a refused refresh ends the session (next-auth clears the cookie) without running the app's callback", async () => {
    const seen = { jwt: [] as JWT[], signOuts: 0 };
    const { options } = wrap(appOptions(seen), {}, { calls: [], answer: "refused" });
    await expect(jwtOf(options)({ token: { ...expiredToken } })).rejects.toMatchObject({ code: "SESSION_REJECTED" });
    expect(seen.jwt).toEqual([]);
  });

  it("an unreadable token (no backend tokens in it) is no session", async () => {
    const { options } = wrap({ providers: [] });
    await expect(jwtOf(options)({ token: { sub: "u1", name: "Ada" } })).rejects.toMatchObject({
      code: "SESSION_REJECTED",
    });
  });
});

describe("withSessionRefresh: what the browser's session gets", () => {
  it("the app's session callback runs on a session and token without tokens; nothing of either token leaves, by name or by value", async () => {
    const { options } = wrap(appOptions({ jwt: [], signOuts: 0 }));
    const session = (await sessionOf(options)({
      session: { user: { name: "Ada", email: "ada@example.com" }, expires: "2030-01-01T00:00:00.000Z" },
      token: { ...expiredToken, accessTokenExpires: 1_900_000_000_000 },
    })) as unknown as Record<string, unknown>;
    expect(session).toMatchObject({
      role: "admin",
      user: { id: "u1", email: "ada@example.com" },
      accessTokenExpires: 1_900_000_000_000,
      copy: "undefined",
    });
    const text = JSON.stringify(session);
    expect(text).not.toContain("refresh-1");
    expect(text).not.toContain("access-1");
    expect(session).not.toHaveProperty("accessToken");
    expect(session).not.toHaveProperty("refreshToken");
  });

  it("scrubs a token the app obtained some other way", async () => {
    const { options } = wrap({
      providers: [],
      callbacks: {
        session: async ({ session }) => ({ ...session, nested: { list: ["keep", "refresh-1"], bearer: "access-1" } }),
      },
    });
    const session = await sessionOf(options)({ session: { expires: "2030-01-01T00:00:00.000Z" }, token: expiredToken });
    expect(session).toMatchObject({ nested: { list: ["keep"] } });
    expect(JSON.stringify(session)).not.toMatch(/refresh-1|access-1/);
  });

  it("without a session callback of its own the app gets the identity, the expiry and the server's refresh skew only", async () => {
    const { options } = wrap({ providers: [] }, { SESSION_REFRESH_SKEW_SECONDS: "45" });
    const session = await sessionOf(options)({ session: { user: { name: "Ada" }, expires: "x" }, token: expiredToken });
    const expires = expiredToken.accessTokenExpires as number;
    expect(session).toEqual({
      user: { name: "Ada", id: "u1" },
      expires: "x",
      accessTokenExpires: expires,
      refreshSkewSeconds: 45,
      // No lifetime known (no receivedAt): the nominal window, 45 s skew and as much again ahead.
      refreshAheadFrom: expires - 90_000,
      refreshDueFrom: expires - 45_000,
    });
  });

  it("tells the browser this token's own refresh window: 10 s tokens with the default 30 s skew are due from 5 s left, refreshed ahead from 6 s", async () => {
    const { options } = wrap({ providers: [] }, { SESSION_REFRESH_SKEW_SECONDS: "30" });
    const receivedAt = Date.parse("2026-12-02T12:00:00Z");
    const token = { ...expiredToken, accessTokenReceivedAt: receivedAt, accessTokenExpires: receivedAt + 10_000 };
    const session = (await sessionOf(options)({ session: { expires: "x" }, token })) as unknown as Record<
      string,
      unknown
    >;
    // The gate caps the skew at half the lifetime and the ahead window by its cost, here at its 1 s floor
    // (core/gate/refresh-ahead.ts).
    expect(session).toMatchObject({
      refreshSkewSeconds: 30,
      refreshDueFrom: receivedAt + 5_000,
      refreshAheadFrom: receivedAt + 4_000,
    });
    expect(JSON.stringify(session)).not.toMatch(/access-1|refresh-1/);
  });
});

describe("withSessionRefresh: cookie, settings and sign-out", () => {
  it("writes cookies next-auth itself reads, and reads a cookie the 2021 recipe wrote (same claim names): old sessions survive the migration", async () => {
    const { options, backend } = wrap({ providers: [] });
    const written = await options.jwt!.encode!({
      token: { sub: "u1", accessToken: "a", refreshToken: "r", accessTokenExpires: 1 },
      secret: SECRET,
    });
    expect(await nextAuthDecode({ token: written, secret: SECRET })).toMatchObject({ sub: "u1", refreshToken: "r" });

    // What the recipe's jwt callback stored, encrypted by next-auth's own encode.
    const recipeCookie = await nextAuthEncode({
      secret: SECRET,
      token: {
        name: "Ada",
        email: "ada@example.com",
        sub: "u1",
        accessToken: "access-1",
        accessTokenExpires: Date.now() - 1000,
        refreshToken: "refresh-1",
        user: { id: "u1" },
      },
    });
    const decoded = await options.jwt!.decode!({ token: recipeCookie, secret: SECRET });
    const token = await jwtOf(options)({ token: decoded! });
    expect(token).toMatchObject({ sub: "u1", refreshToken: "refresh-2" });
    expect(backend.calls).toEqual(["/api/auth/refresh-token refresh-1"]);
  });

  it("takes secret, secure cookies and max age from the settings, lazily, and refuses options that disagree", async () => {
    const { options, runtime } = wrap({ providers: [], session: { strategy: "jwt" } });
    expect(options.secret).toBe(SECRET);
    expect(options.useSecureCookies).toBe(false);
    expect(options.session).toMatchObject({ strategy: "jwt", maxAge: runtime.settings.sessionMaxAgeSeconds });
    expect(() => wrap({ providers: [], secret: "another" }).options.secret).toThrow(/differs from NEXTAUTH_SECRET/);
    expect(() => wrap({ providers: [], session: { maxAge: 60 } }).options.session).toThrow(/SESSION_MAX_AGE_SECONDS/);
    expect(() => wrap({ providers: [], jwt: { encode: async () => "x" } })).toThrow(/jwt.encode\/jwt.decode/);
    expect(() => wrap({ providers: [], session: { strategy: "database" } })).toThrow(/strategy "database"/);
    // Wrapping reads no settings: a build without NEXTAUTH_SECRET can import the options.
    expect(() =>
      wrapAuthOptions(
        { providers: [] },
        {
          runtime: () => {
            throw new Error("read at import");
          },
          refreshAlreadyUnavailable: async () => false,
        },
      ),
    ).not.toThrow();
  });

  it("sign-out revokes at the backend through the coordinator AND runs the app's own signOut event", async () => {
    const seen = { jwt: [] as JWT[], signOuts: 0 };
    const { options, backend } = wrap(appOptions(seen));
    await (options.events!.signOut as EventCallbacks["signOut"])({
      token: { ...expiredToken },
      session: { expires: "x" },
    });
    expect(backend.calls).toEqual(["/api/auth/logout refresh-1"]);
    expect(seen.signOuts).toBe(1);
    // The signed-out token is refused from now on, without asking the backend.
    await expect(jwtOf(options)({ token: { ...expiredToken } })).rejects.toMatchObject({ code: "SESSION_REJECTED" });
    expect(backend.calls).toHaveLength(1);
  });

  it("keeps the app's providers, pages and other callbacks", async () => {
    const redirect: CallbacksOptions["redirect"] = async ({ baseUrl }) => baseUrl;
    const app: AuthOptions = {
      providers: [{ id: "credentials" } as AuthOptions["providers"][number]],
      pages: { signIn: "/sign-in" },
      callbacks: { redirect },
    };
    const { options } = wrap(app);
    // A provider that is not a Credentials one is the same object; Credentials ones get the sign-in limits (below).
    expect(options.providers).toHaveLength(1);
    expect(options.providers[0]).toBe(app.providers[0]);
    expect(options.pages).toEqual({ signIn: "/sign-in" });
    // The app's redirect still decides, inside the open-redirect guard (see "the open-redirect guard" below).
    expect(await options.callbacks!.redirect!({ url: "/anywhere", baseUrl: "http://app.test" })).toBe(
      "http://app.test/",
    );
  });
});

describe("the open-redirect guard", () => {
  const BASE = "http://app.test";
  type RedirectParams = Parameters<CallbacksOptions["redirect"]>[0];
  const redirectOf = (options: AuthOptions) => (url: string) =>
    options.callbacks!.redirect!({ url, baseUrl: BASE } as RedirectParams);
  const HOSTILE = [
    "https://evil.example/",
    "//evil.example/x",
    "/.//evil.example/x",
    "/\\evil.example",
    "javascript:alert(1)",
    "http://app.test@evil.example/",
  ];

  it("without an app callback: same-origin paths pass, everything else lands on the fallback (default /)", async () => {
    const redirect = redirectOf(wrap({ providers: [] }).options);
    expect(await redirect("/dashboard?tab=2")).toBe(`${BASE}/dashboard?tab=2`);
    expect(await redirect(`${BASE}/session`)).toBe(`${BASE}/session`);
    for (const url of HOSTILE) expect(await redirect(url), url).toBe(`${BASE}/`);
  });

  it("redirectFallbackPath names the fallback", async () => {
    const runtime = runtimeWith({ calls: [], answer: "ok" });
    const options = wrapAuthOptions(
      { providers: [] },
      { runtime: () => runtime, refreshAlreadyUnavailable: async () => false },
      { redirectFallbackPath: "/dashboard" },
    );
    for (const url of HOSTILE) expect(await redirectOf(options)(url), url).toBe(`${BASE}/dashboard`);
  });

  it("an app's own redirect callback is composed with it and can never widen it", async () => {
    const asked: string[] = [];
    const offOrigin: CallbacksOptions["redirect"] = async ({ url }) => {
      asked.push(url);
      return "https://evil.example/phish";
    };
    const redirect = redirectOf(wrap({ providers: [], callbacks: { redirect: offOrigin } }).options);
    expect(await redirect("/dashboard")).toBe(`${BASE}/`);
    expect(asked).toEqual(["/dashboard"]);
    const narrowing: CallbacksOptions["redirect"] = async ({ url, baseUrl }) =>
      url.includes("admin") ? `${baseUrl}/home` : url;
    const narrowed = redirectOf(wrap({ providers: [], callbacks: { redirect: narrowing } }).options);
    expect(await narrowed("/admin")).toBe(`${BASE}/home`);
    expect(await narrowed("/orders/7")).toBe(`${BASE}/orders/7`);
    expect(await narrowed("https://evil.example/")).toBe(`${BASE}/`);
  });
});
