/** The backend learns who signs in: both protocols' login requests carry X-Forwarded-For when the address is known. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startReferenceBackend, type ReferenceBackend } from "../../../../../dev/backend/server";
import { parseSettings } from "../settings";
import { createBackendClient } from "./client";

const PROTOCOLS = {
  json: { shape: "default", env: {} },
  oauth2: {
    shape: "oauth",
    env: { BACKEND_PROTOCOL: "oauth2", BACKEND_CLIENT_ID: "demo-client", BACKEND_CLIENT_SECRET: "demo-secret" },
  },
} as const;

describe.each(Object.keys(PROTOCOLS) as Array<keyof typeof PROTOCOLS>)("%s protocol", (protocol) => {
  let backend: ReferenceBackend;
  beforeAll(async () => {
    backend = await startReferenceBackend({ port: 0, shape: PROTOCOLS[protocol].shape });
  });
  afterAll(() => backend.close());

  const client = () =>
    createBackendClient({ settings: parseSettings({ BACKEND_URL: backend.url, ...PROTOCOLS[protocol].env }).backend });

  it("sends the person's address as X-Forwarded-For, on success and on refusal alike", async () => {
    backend.resetStats();
    expect((await client().login("demo@example.com", "demo-password", undefined, "203.0.113.7")).kind).toBe("ok");
    expect(
      (await client().login("demo@example.com", "wrong", undefined, "2001:0db8:0000:0000:0000:0000:0000:0001")).kind,
    ).toBe("rejected");
    expect(backend.loginRequests().map((r) => r.forwardedFor)).toEqual([
      "203.0.113.7",
      "2001:0db8:0000:0000:0000:0000:0000:0001",
    ]);
  });

  it("sends no X-Forwarded-For when the address is unknown", async () => {
    backend.resetStats();
    await client().login("demo@example.com", "demo-password");
    expect(backend.loginRequests().map((r) => r.forwardedFor)).toEqual([null]);
  });
});
