import { describe, expect, it } from "vitest";
import { decode as nextAuthDecode } from "next-auth/jwt";
import type { BackendResult } from "../backend/result";
import type { BackendTokens } from "../backend/tokens";
import type { RefreshBackend } from "../refresh/coordinator";
import { createMemoryLockStore } from "../../stores/memory";
import { CHUNK_SIZE, sessionCookieName } from "../session/chunks";
import { createSessionCodec } from "../session/codec";
import { countingStore } from "../refresh/test-support/counting-store";
import { testCoordinator } from "../refresh/test-support/coordinator";
import { createSessionGate } from "./session-gate";

const SECRET = "gate-test-secret-0123456789abcdef";
const codec = createSessionCodec({ secrets: [SECRET], maxAgeSeconds: 3600 });
const NAME = sessionCookieName(false);

/**
 * A scripted backend: the gate's own tests are about turning outcomes into cookies, and the coordinator
 * is tested against the real reference backend elsewhere. This one only counts and answers.
 */
function scriptedBackend(answer: () => BackendResult<BackendTokens>): RefreshBackend & { calls: number } {
  const backend = {
    calls: 0,
    async refresh() {
      backend.calls++;
      return answer();
    },
  };
  return backend;
}

function gateWith(backend: RefreshBackend) {
  const store = countingStore(createMemoryLockStore());
  const coordinator = testCoordinator({ store, backend, settings: { backendTimeoutMs: 1000, refreshSkewMs: 30_000 } });
  return {
    store,
    gate: createSessionGate({
      codec,
      coordinator,
      secureCookies: false,
      refreshSkewMs: 30_000,
      sessionMaxAgeSeconds: 3600,
    }),
  };
}

const fresh = { accessToken: "access-new", refreshToken: "refresh-new", accessTokenExpires: Date.now() + 600_000 };
const jarFor = async (claims: Record<string, unknown>) => new Map([[NAME, await codec.encode(claims)]]);

describe("session gate", () => {
  it("a valid session passes with zero lock-store calls and zero backend calls", async () => {
    const backend = scriptedBackend(() => ({ kind: "ok", value: fresh }));
    const { gate, store } = gateWith(backend);
    const result = await gate.check(
      await jarFor({ sub: "u", accessToken: "a", refreshToken: "r", accessTokenExpires: Date.now() + 120_000 }),
    );
    expect(result.outcome).toBe("valid");
    expect(store.total()).toBe(0);
    expect(backend.calls).toBe(0);
  });

  it("an access token inside the skew is refreshed; the new cookie carries the new tokens and the identity", async () => {
    const backend = scriptedBackend(() => ({ kind: "ok", value: fresh }));
    const { gate } = gateWith(backend);
    const result = await gate.check(
      await jarFor({
        sub: "u",
        email: "e@x",
        accessToken: "a",
        refreshToken: "r",
        accessTokenExpires: Date.now() + 10_000,
      }),
    );
    expect(result.outcome).toBe("refreshed");
    if (result.outcome !== "refreshed") return;
    const written = result.writes.find((w) => w.name === NAME)!;
    expect(written.httpOnly).toBe(true);
    expect(await nextAuthDecode({ token: written.value, secret: SECRET })).toMatchObject({
      sub: "u",
      email: "e@x",
      refreshToken: "refresh-new",
    });
    expect(result.jar.get(NAME)).toBe(written.value);
  });

  it("a short-lived backend token is not refreshed on every request when its lifetime is below the skew", async () => {
    const backend = scriptedBackend(() => ({ kind: "ok", value: fresh }));
    const { gate } = gateWith(backend);
    const now = Date.now();
    const result = await gate.check(
      await jarFor({
        accessToken: "a",
        refreshToken: "r",
        accessTokenReceivedAt: now - 1000,
        accessTokenExpires: now + 9_000,
      }),
    );
    expect(result.outcome).toBe("valid");
  });

  it("growing past the chunk size switches to chunks and expires the unchunked cookie", async () => {
    const big = { ...fresh, accessToken: "x".repeat(CHUNK_SIZE + 100) };
    const { gate } = gateWith(scriptedBackend(() => ({ kind: "ok", value: big })));
    const result = await gate.check(await jarFor({ accessToken: "a", refreshToken: "r", accessTokenExpires: 0 }));
    if (result.outcome !== "refreshed") throw new Error(result.outcome);
    expect(result.writes.map((w) => [w.name, w.expires === 0])).toEqual([
      [NAME, true],
      [`${NAME}.0`, false],
      [`${NAME}.1`, false],
    ]);
    expect([...result.jar.keys()].sort()).toEqual([`${NAME}.0`, `${NAME}.1`]);
  });

  it("a refused refresh clears every session cookie, chunks included", async () => {
    const { gate } = gateWith(scriptedBackend(() => ({ kind: "rejected", status: 401 })));
    const jwe = await codec.encode({ accessToken: "a".repeat(CHUNK_SIZE), refreshToken: "r", accessTokenExpires: 0 });
    const jar = new Map([
      [`${NAME}.0`, jwe.slice(0, CHUNK_SIZE)],
      [`${NAME}.1`, jwe.slice(CHUNK_SIZE)],
      ["other", "kept"],
    ]);
    const result = await gate.check(jar);
    expect(result.outcome).toBe("rejected");
    if (result.outcome !== "rejected") return;
    expect(result.writes.filter((w) => w.expires !== 0 || w.value !== "")).toEqual([]);
    expect(result.writes.map((w) => w.name).sort()).toEqual([`${NAME}.0`, `${NAME}.1`]);
    expect([...result.jar]).toEqual([["other", "kept"]]);
  });

  it("an outage keeps the session and says whether the old access token is still good", async () => {
    const { gate } = gateWith(
      scriptedBackend(() => ({ kind: "unavailable", reason: "status", status: 503, detail: "down" })),
    );
    const soon = await gate.check(
      await jarFor({ accessToken: "a", refreshToken: "r", accessTokenExpires: Date.now() + 5_000 }),
    );
    expect(soon).toMatchObject({ outcome: "unavailable", stillValid: true });
    const gone = await gate.check(
      await jarFor({ accessToken: "a", refreshToken: "r2", accessTokenExpires: Date.now() - 5_000 }),
    );
    expect(gone).toMatchObject({ outcome: "unavailable", stillValid: false });
    expect("writes" in gone).toBe(false);
  });

  const unreadable: Array<[string, () => Promise<Map<string, string>>]> = [
    [
      "tampered",
      async () => {
        const parts = (await codec.encode({ accessToken: "a", refreshToken: "r", accessTokenExpires: 1 })).split(".");
        parts[3] = (parts[3]!.startsWith("A") ? "B" : "A") + parts[3]!.slice(1);
        return new Map([[NAME, parts.join(".")]]);
      },
    ],
    [
      "another secret",
      async () =>
        new Map([
          [
            NAME,
            await createSessionCodec({ secrets: ["x".repeat(32)], maxAgeSeconds: 60 }).encode({
              accessToken: "a",
              refreshToken: "r",
              accessTokenExpires: 1,
            }),
          ],
        ]),
    ],
    ["garbage", async () => new Map([[NAME, "%%%not-a-jwe%%%"]])],
    ["a next-auth session without backend tokens", () => jarFor({ sub: "u", name: "someone" })],
  ];
  it.each(unreadable)("a %s cookie is signed out and cleared, never an exception", async (_label, jar) => {
    const backend = scriptedBackend(() => ({ kind: "ok", value: fresh }));
    const { gate } = gateWith(backend);
    const result = await gate.check(await jar());
    expect(result.outcome).toBe("anonymous");
    if (result.outcome === "anonymous") expect(result.writes.map((w) => [w.name, w.expires])).toEqual([[NAME, 0]]);
    expect(backend.calls).toBe(0);
  });

  it("no cookie is anonymous with nothing to clear", async () => {
    const { gate } = gateWith(scriptedBackend(() => ({ kind: "ok", value: fresh })));
    expect(await gate.check(new Map())).toMatchObject({ outcome: "anonymous", writes: [] });
  });
});

describe("session gate: refresh-ahead requests", () => {
  // Skew 30 s, default ahead 30 s: a marked request refreshes from 60 s left, an ordinary one from 30 s.
  const claimsWithLeft = (ms: number) => ({
    sub: "u",
    accessToken: "a",
    refreshToken: "r",
    accessTokenExpires: Date.now() + ms,
    accessTokenReceivedAt: Date.now() - 300_000 + ms,
  });

  it("a marked request inside the ahead window refreshes; an ordinary one at the same moment stays valid", async () => {
    const backend = scriptedBackend(() => ({ kind: "ok", value: fresh }));
    const { gate } = gateWith(backend);
    const jar = await jarFor(claimsWithLeft(40_000));
    expect((await gate.check(jar)).outcome).toBe("valid");
    expect(backend.calls).toBe(0);
    expect((await gate.check(jar, { ahead: true })).outcome).toBe("refreshed");
    expect(backend.calls).toBe(1);
  });

  it("a marked request before the ahead window is valid, with no store or backend call", async () => {
    const backend = scriptedBackend(() => ({ kind: "ok", value: fresh }));
    const { gate, store } = gateWith(backend);
    expect((await gate.check(await jarFor(claimsWithLeft(70_000)), { ahead: true })).outcome).toBe("valid");
    expect(store.total()).toBe(0);
    expect(backend.calls).toBe(0);
  });

  it("marked requests of several tabs at once collapse into one backend refresh", async () => {
    const backend = scriptedBackend(() => ({ kind: "ok", value: fresh }));
    const { gate } = gateWith(backend);
    const jar = await jarFor(claimsWithLeft(40_000));
    const outcomes = await Promise.all([
      gate.check(jar, { ahead: true }),
      gate.check(jar, { ahead: true }),
      gate.check(jar),
    ]);
    expect(backend.calls).toBe(1);
    expect(outcomes.map((result) => result.outcome).sort()).toEqual(["joined", "refreshed", "valid"]);
  });

  it("the window it states is the one it applies, its own ahead setting included", async () => {
    const backend = scriptedBackend(() => ({ kind: "ok", value: fresh }));
    const coordinator = testCoordinator({
      store: createMemoryLockStore(),
      backend,
      settings: { backendTimeoutMs: 1000, refreshSkewMs: 30_000 },
    });
    const gate = createSessionGate({
      codec,
      coordinator,
      secureCookies: false,
      refreshSkewMs: 30_000,
      sessionMaxAgeSeconds: 3600,
      refreshAheadMs: 10_000,
    });
    const claims = claimsWithLeft(39_000);
    const window = gate.refreshWindow(claims);
    expect(window).toEqual({
      aheadFrom: claims.accessTokenExpires - 40_000,
      dueFrom: claims.accessTokenExpires - 30_000,
    });
    // 39 s left: inside the stated 40 s, so a marked request refreshes; 41 s left would not.
    expect((await gate.check(await jarFor(claimsWithLeft(41_000)), { ahead: true })).outcome).toBe("valid");
    expect((await gate.check(await jarFor(claims), { ahead: true })).outcome).toBe("refreshed");
  });
});
