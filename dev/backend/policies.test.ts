/**
 * The three rotation policies over real HTTP, in every shape (oauth through its RFC 6749 token endpoint), on
 * an injected clock so "within" and "after" the reuse interval are exact: rotate revokes on reuse, none
 * never rotates and answers no refresh token, reuse-interval replays the successor and then acts as rotate.
 */

import { describe, expect, it } from "vitest";
import type { BackendShape, ReferenceBackend } from "./server";
import { CONFIDENTIAL, DEMO, fakeClock, getProfile, postForm, postJson, start, type JsonResponse } from "./test-http";

interface Answer {
  status: number;
  accessToken?: string;
  refreshToken?: string;
  /** Whether the body has a refresh-token field at all. */
  hasRefreshField: boolean;
}

const BASIC = `Basic ${Buffer.from(`${CONFIDENTIAL.clientId}:${CONFIDENTIAL.clientSecret}`).toString("base64")}`;

/** How each shape is spoken to and read; `oauth` goes through /oauth/token as an RFC 6749 client would. */
const SPEAKERS: Record<
  BackendShape,
  {
    login(b: ReferenceBackend): Promise<JsonResponse>;
    refresh(b: ReferenceBackend, token: string): Promise<JsonResponse>;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies differ per shape
    read(body: any): Omit<Answer, "status">;
  }
> = {
  default: {
    login: (b) => postJson(b, "/api/auth", DEMO),
    refresh: (b, refreshToken) => postJson(b, "/api/auth/refresh-token", { refreshToken }),
    read: (body) => ({
      accessToken: body?.data?.accessToken,
      refreshToken: body?.data?.refreshToken,
      hasRefreshField: "refreshToken" in (body?.data ?? {}),
    }),
  },
  oauth: {
    login: (b) =>
      postForm(
        b,
        "/oauth/token",
        { grant_type: "password", username: DEMO.email, password: DEMO.password },
        { authorization: BASIC },
      ),
    refresh: (b, token) =>
      postForm(b, "/oauth/token", { grant_type: "refresh_token", refresh_token: token }, { authorization: BASIC }),
    read: (body) => ({
      accessToken: body?.access_token,
      refreshToken: body?.refresh_token,
      hasRefreshField: "refresh_token" in (body ?? {}),
    }),
  },
  drf: {
    login: (b) => postJson(b, "/api/auth", DEMO),
    refresh: (b, refresh) => postJson(b, "/api/auth/refresh-token", { refresh }),
    read: (body) => ({
      accessToken: body?.access,
      refreshToken: body?.refresh,
      hasRefreshField: "refresh" in (body ?? {}),
    }),
  },
};

async function session(backend: ReferenceBackend, shape: BackendShape) {
  const speaker = SPEAKERS[shape];
  const login = await speaker.login(backend);
  expect(login.status).toBe(200);
  const first = speaker.read(login.body);
  expect(first.refreshToken).toBeTypeOf("string");
  return {
    ...(first as { accessToken: string; refreshToken: string }),
    refresh: async (token: string): Promise<Answer> => {
      const response = await speaker.refresh(backend, token);
      return { status: response.status, ...speaker.read(response.body) };
    },
  };
}

const SHAPES = ["default", "oauth", "drf"] as const;

describe.each(SHAPES)("%s shape", (shape) => {
  it("rotate: a reused refresh token revokes the family, the successor and its access token", async () => {
    const backend = await start({ shape, rotation: "rotate" });
    const signedIn = await session(backend, shape);
    const rotated = await signedIn.refresh(signedIn.refreshToken);
    expect(rotated).toMatchObject({ status: 200, hasRefreshField: true });
    expect(rotated.refreshToken).not.toBe(signedIn.refreshToken);

    const reuse = await signedIn.refresh(signedIn.refreshToken);
    expect(reuse.status).toBe(shape === "oauth" ? 400 : 401);
    expect((await signedIn.refresh(rotated.refreshToken!)).status).toBe(reuse.status);
    expect((await getProfile(backend, rotated.accessToken!)).status).toBe(401);
    expect(backend.stats()).toMatchObject({
      refreshes: 1,
      reuseDetections: 1,
      reuseWithinInterval: 0,
      familiesRevoked: 1,
    });
  });

  it("none: answers an access token only, and the same refresh token keeps working until it expires", async () => {
    const clock = fakeClock();
    const backend = await start({ shape, rotation: "none", refreshTokenTtlSeconds: 600, clock: clock.now });
    const signedIn = await session(backend, shape);
    const accessTokens = new Set([signedIn.accessToken]);
    for (let index = 0; index < 3; index += 1) {
      clock.advance(100_000);
      const renewed = await signedIn.refresh(signedIn.refreshToken);
      expect(renewed).toMatchObject({ status: 200, hasRefreshField: false, refreshToken: undefined });
      expect((await getProfile(backend, renewed.accessToken!)).status).toBe(200);
      accessTokens.add(renewed.accessToken!);
    }
    expect(accessTokens.size).toBe(4);
    expect(backend.stats()).toMatchObject({ refreshes: 3, reuseDetections: 0, familiesRevoked: 0 });
    expect(backend.sizes().refreshTokens).toBe(1);

    clock.advance(300_000);
    expect((await signedIn.refresh(signedIn.refreshToken)).status).toBe(shape === "oauth" ? 400 : 401);
    expect(backend.stats().reuseDetections).toBe(0);
  });

  it("reuse-interval: within the interval the same successor comes back; after it, reuse revokes the family", async () => {
    const clock = fakeClock();
    const backend = await start({
      shape,
      rotation: "reuse-interval",
      reuseIntervalSeconds: 5,
      accessTokenTtlSeconds: 3,
      clock: clock.now,
    });
    const signedIn = await session(backend, shape);
    const first = await signedIn.refresh(signedIn.refreshToken);
    expect(first).toMatchObject({ status: 200, hasRefreshField: true });

    // Later than the first answer's access token lifetime, still inside the interval: a new, valid access token.
    clock.advance(4_000);
    expect((await getProfile(backend, first.accessToken!)).status).toBe(401);
    const late = await signedIn.refresh(signedIn.refreshToken);
    expect(late.status).toBe(200);
    expect(late.refreshToken).toBe(first.refreshToken);
    expect(late.accessToken).not.toBe(first.accessToken);
    expect((await getProfile(backend, late.accessToken!)).status).toBe(200);
    expect(backend.stats()).toMatchObject({ refreshes: 1, reuseWithinInterval: 1, reuseDetections: 0 });

    clock.advance(1_000);
    const tooLate = await signedIn.refresh(signedIn.refreshToken);
    expect(tooLate.status).toBe(shape === "oauth" ? 400 : 401);
    expect((await signedIn.refresh(first.refreshToken!)).status).toBe(tooLate.status);
    expect((await getProfile(backend, late.accessToken!)).status).toBe(401);
    expect(backend.stats()).toMatchObject({
      refreshes: 1,
      reuseWithinInterval: 1,
      reuseDetections: 1,
      familiesRevoked: 1,
    });
  });
});

describe("concurrent refreshes with one token", () => {
  it.each([
    { rotation: "rotate", statuses: [200, 401], reuseDetections: 1, reuseWithinInterval: 0 },
    { rotation: "reuse-interval", statuses: [200, 200], reuseDetections: 0, reuseWithinInterval: 1 },
    { rotation: "none", statuses: [200, 200], reuseDetections: 0, reuseWithinInterval: 0 },
  ] as const)("$rotation: $statuses", async ({ rotation, statuses, reuseDetections, reuseWithinInterval }) => {
    const backend = await start({ rotation, refreshLatencyMs: 200 });
    const signedIn = await session(backend, "default");
    const [a, b] = await Promise.all([
      signedIn.refresh(signedIn.refreshToken),
      signedIn.refresh(signedIn.refreshToken),
    ]);
    expect([a.status, b.status].sort()).toEqual(statuses);
    // Under reuse-interval both tabs end up holding the same live refresh token.
    if (rotation === "reuse-interval") expect(a.refreshToken).toBe(b.refreshToken);
    expect(backend.stats()).toMatchObject({ reuseDetections, reuseWithinInterval, maxConcurrentRefreshes: 2 });
  });
});

describe("rotation settings at runtime", () => {
  it("switches policy, interval and skew through POST /__control and lists them in GET /__control", async () => {
    const backend = await start();
    const patched = await postJson(backend, "/__control", {
      rotation: "none",
      reuseIntervalSeconds: 2,
      clockSkewSeconds: -30,
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ rotation: "none", reuseIntervalSeconds: 2, clockSkewSeconds: -30 });
    const signedIn = await session(backend, "default");
    expect(await signedIn.refresh(signedIn.refreshToken)).toMatchObject({ status: 200, hasRefreshField: false });

    backend.setOptions({ rotation: "rotate" });
    expect(await signedIn.refresh(signedIn.refreshToken)).toMatchObject({ status: 200, hasRefreshField: true });
  });

  it.each([{ rotation: "sometimes" }, { reuseIntervalSeconds: -1 }, { clockSkewSeconds: 1.5 }, { oauthScopes: ["x"] }])(
    "refuses %o",
    async (patch) => {
      const backend = await start();
      const response = await postJson(backend, "/__control", patch);
      expect(response.status).toBe(400);
      expect(response.body.problems).toHaveLength(1);
    },
  );
});
