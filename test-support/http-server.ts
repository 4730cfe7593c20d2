/**
 * A real HTTP server on a free loopback port whose answers a test writes inline: used to stand in for
 * backends of other shapes than the reference one (a different JSON layout, a 503, a hang, garbage).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Route = (request: IncomingMessage & { body: string }, response: ServerResponse) => unknown;

export interface TestServer {
  readonly url: string;
  readonly requests: Array<{ method: string; path: string; body: string; headers: IncomingMessage["headers"] }>;
  close(): Promise<void>;
}

export async function startTestServer(route: Route): Promise<TestServer> {
  const requests: TestServer["requests"] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      requests.push({ method: request.method ?? "", path: request.url ?? "", body, headers: request.headers });
      Promise.resolve(route(Object.assign(request, { body }), response)).catch((error: unknown) => {
        response.statusCode = 500;
        response.end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(typeof body === "string" ? body : JSON.stringify(body));
}
