/**
 * currentSession(req) in the Pages Router: getServerSideProps' `req` and an API route's NextApiRequest carry
 * the cookies Next parsed (or only the raw Cookie header); the session in them was written by next-auth's
 * own encode, so this reads exactly what next-auth and the middleware write.
 */
import type { IncomingMessage } from "node:http";
import type { GetServerSidePropsContext, NextApiRequest } from "next";
import { encode } from "next-auth/jwt";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { CHUNK_SIZE, SESSION_COOKIE_NAME } from "../core/session/chunks";
import { SESSION_OUTCOME_HEADER } from "./request-markers";
import {
  currentSession,
  refreshAlreadyUnavailable,
  resetUnhandledRequestWarning,
  UNHANDLED_REQUEST_WARNING,
  type PagesRouterRequest,
} from "./server-session";

const SECRET = "server-session-test-secret-0123456789abcdef";

// Both Pages Router request types fit the parameter without a cast (a compile-time check).
type Fits<T extends PagesRouterRequest> = T;
export type PagesRequestsFit = [Fits<NextApiRequest>, Fits<GetServerSidePropsContext["req"]>, Fits<IncomingMessage>];

const tokens = { accessToken: "access-1", refreshToken: "refresh-1", accessTokenExpires: Date.now() + 60_000 };

async function nextAuthCookie(claims: Record<string, unknown>, secret = SECRET): Promise<string> {
  return encode({ token: claims, secret });
}

/** The cookies next-auth writes for this JWE: one cookie, or `<name>.0`, `<name>.1`, … past its chunk size. */
function sessionCookies(jwe: string): Record<string, string> {
  if (jwe.length <= CHUNK_SIZE) return { [SESSION_COOKIE_NAME]: jwe };
  const cookies: Record<string, string> = {};
  for (let index = 0; index * CHUNK_SIZE < jwe.length; index++)
    cookies[`${SESSION_COOKIE_NAME}.${index}`] = jwe.slice(index * CHUNK_SIZE, (index + 1) * CHUNK_SIZE);
  return cookies;
}

function header(cookies: Record<string, string>): string {
  return Object.entries(cookies)
    .map(([name, value]) => `${name}=${value}`)
    .join("; ");
}

/** Next's parsed `req.cookies` plus the header, as getServerSideProps and API routes get them. */
function pagesRequest(cookies: Record<string, string>): PagesRouterRequest {
  return { cookies: { theme: "dark", ...cookies }, headers: { cookie: header({ theme: "dark", ...cookies }) } };
}

beforeAll(() => {
  vi.stubEnv("NEXTAUTH_SECRET", SECRET);
  vi.stubEnv("NEXTAUTH_URL", "http://localhost:3000");
  vi.stubEnv("BACKEND_URL", "http://127.0.0.1:4000");
  vi.stubEnv("SESSION_STORE_ANNOUNCED", "1");
});

afterAll(() => {
  vi.unstubAllEnvs();
});

describe("currentSession(req) in the Pages Router", () => {
  it("reads the claims next-auth wrote, tokens included, from req.cookies", async () => {
    const jwe = await nextAuthCookie({ sub: "user-1", email: "demo@example.com", role: "admin", ...tokens });
    expect(await currentSession(pagesRequest(sessionCookies(jwe)))).toMatchObject({
      sub: "user-1",
      email: "demo@example.com",
      role: "admin",
      ...tokens,
    });
  });

  it("reads a plain IncomingMessage (no parsed cookies) from its Cookie header", async () => {
    const jwe = await nextAuthCookie({ sub: "user-1", ...tokens });
    expect(await currentSession({ headers: { cookie: header({ other: "1", ...sessionCookies(jwe) }) } })).toMatchObject(
      { sub: "user-1", ...tokens },
    );
  });

  it("joins a chunked session (next-auth's `.0`, `.1` cookies), in either form, whatever their order", async () => {
    const jwe = await nextAuthCookie({ sub: "user-1", ...tokens, padding: "x".repeat(6000) });
    const chunks = sessionCookies(jwe);
    expect(Object.keys(chunks).length).toBeGreaterThan(1);
    const reversed = Object.fromEntries(Object.entries(chunks).reverse());
    expect(await currentSession(pagesRequest(reversed))).toMatchObject({ sub: "user-1", ...tokens });
    expect(await currentSession({ headers: { cookie: header(reversed) } })).toMatchObject({ sub: "user-1", ...tokens });
  });

  it.each([
    ["no cookie at all", async (): Promise<PagesRouterRequest> => ({ cookies: {}, headers: {} })],
    ["only other cookies", async (): Promise<PagesRouterRequest> => pagesRequest({})],
    [
      "a session under another secret",
      async () =>
        pagesRequest(
          sessionCookies(await nextAuthCookie({ sub: "user-1", ...tokens }, "another-secret-0123456789abcdef0123")),
        ),
    ],
    [
      "a tampered session",
      async () =>
        pagesRequest(sessionCookies(`${(await nextAuthCookie({ sub: "user-1", ...tokens })).slice(0, -4)}AAAA`)),
    ],
    [
      "a chunked session with a chunk missing",
      async () => {
        const chunks = sessionCookies(await nextAuthCookie({ sub: "user-1", ...tokens, padding: "x".repeat(6000) }));
        delete chunks[`${SESSION_COOKIE_NAME}.1`];
        return pagesRequest(chunks);
      },
    ],
    [
      "a next-auth session without backend tokens",
      async () => pagesRequest(sessionCookies(await nextAuthCookie({ sub: "user-1", email: "demo@example.com" }))),
    ],
    [
      "a session whose refresh token is empty",
      async () => pagesRequest(sessionCookies(await nextAuthCookie({ sub: "user-1", ...tokens, refreshToken: "" }))),
    ],
  ])("is null for %s", async (_case, request) => {
    expect(await currentSession(await request())).toBeNull();
  });

  it("refuses, with a message that names the fix, a getServerSideProps context passed instead of its req", async () => {
    const context = { query: {}, params: {}, resolvedUrl: "/dashboard" } as unknown as PagesRouterRequest;
    await expect(currentSession(context)).rejects.toThrow(/context\.req/);
  });
});

describe("outside an App Router request (pages/api/auth/[...nextauth], a script)", () => {
  it("refreshAlreadyUnavailable() is false: next/headers has no request there, and nothing throws", async () => {
    expect(await refreshAlreadyUnavailable()).toBe(false);
  });
});

describe("a request the middleware did not handle (no x-session-outcome)", () => {
  const handled = (cookies: Record<string, string>): PagesRouterRequest => {
    const request = pagesRequest(cookies);
    return { ...request, headers: { ...request.headers, [SESSION_OUTCOME_HEADER]: "valid;dur=1.0" } };
  };
  const withExpiry = async (accessTokenExpires: number) =>
    sessionCookies(await nextAuthCookie({ sub: "user-1", ...tokens, accessTokenExpires }));

  it("development: the claims as before, and one warning per process naming the matcher and the file's place", async () => {
    resetUnhandledRequestWarning();
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const cookies = await withExpiry(Date.now() - 1000);
      expect(await currentSession(pagesRequest(cookies))).toMatchObject({ sub: "user-1" });
      expect(await currentSession(pagesRequest(cookies))).toMatchObject({ sub: "user-1" });
      expect(warn.mock.calls.map(([line]) => line)).toEqual([UNHANDLED_REQUEST_WARNING]);
      for (const cause of ["matcher", "src/middleware.ts", "src/app"])
        expect(UNHANDLED_REQUEST_WARNING).toContain(cause);
      // A handled request says nothing.
      resetUnhandledRequestWarning();
      await currentSession(handled(cookies));
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      warn.mockRestore();
      resetUnhandledRequestWarning();
    }
  });

  it("production: never an expired or due access token; a fresh one as before; a handled request untouched", async () => {
    vi.stubEnv("NODE_ENV", "production");
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      expect(await currentSession(pagesRequest(await withExpiry(Date.now() - 1000)))).toBeNull();
      // Due: inside the 30 s refresh skew.
      expect(await currentSession(pagesRequest(await withExpiry(Date.now() + 10_000)))).toBeNull();
      expect(await currentSession(pagesRequest(await withExpiry(Date.now() + 120_000)))).toMatchObject({
        sub: "user-1",
      });
      // The middleware saw it (and could not refresh, or it is valid): the caller decides, as before.
      expect(await currentSession(handled(await withExpiry(Date.now() - 1000)))).toMatchObject({ sub: "user-1" });
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
      vi.stubEnv("NODE_ENV", "test");
    }
  });
});
