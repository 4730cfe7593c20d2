// A free TCP port for a server that a test is about to start (Redis, the REST bridge, the backend).
// The port is only free at the moment of asking: a caller that spawns another process should be
// ready to retry if something else grabbed it in between.
import { createServer } from "node:net";

/** Asks the OS for an unused port on 127.0.0.1 and releases it again. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ port: 0, host: "127.0.0.1", exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close();
        reject(new Error("freePort: the OS returned no TCP address"));
        return;
      }
      const { port } = address;
      server.close((error) => (error ? reject(error) : resolve(port)));
    });
  });
}
