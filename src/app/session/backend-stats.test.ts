import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startReferenceBackend, type ReferenceBackend } from "../../../dev/backend/server";
import { sendJson, startTestServer, type TestServer } from "../../../test-support/http-server";
import { backendLogin } from "../../../test-support/services";
import { fetchBackendStats } from "./backend-stats";

describe("reference backend stats for the /session page", () => {
  let backend: ReferenceBackend;
  let other: TestServer;
  beforeAll(async () => {
    backend = await startReferenceBackend({ port: 0 });
    other = await startTestServer((request, response) =>
      request.url === "/__stats" ? sendJson(response, 200, { hello: "world" }) : sendJson(response, 404, {}),
    );
  });
  afterAll(async () => {
    await backend?.close();
    await other?.close();
  });

  it("are read from the reference backend", async () => {
    await backendLogin(backend.url);
    expect(await fetchBackendStats(backend.url)).toMatchObject({ logins: 1, refreshes: 0, reuseDetections: 0 });
  });

  it("are null for any other backend or none at all", async () => {
    expect(await fetchBackendStats(other.url)).toBeNull();
    expect(await fetchBackendStats("http://127.0.0.1:1")).toBeNull();
  });
});
