/**
 * A real Node process holding the process-wide TCP Redis connection, for the SIGTERM test
 * (integration/redis-tcp-service.test.ts). It PINGs once ("connected"); on SIGUSR2 it sends one more PING
 * ("sent") and reports its answer. It has its own SIGTERM listener that does nothing, as an app with its own
 * shutdown would: so the process ends only if the connection's SIGTERM handler closes the socket.
 */
import { redisConnectionFor } from "edge-session-refresh/stores/node";

const connection = redisConnectionFor({ kind: "redis", url: process.argv[2]! });
process.on("SIGTERM", () => console.log("sigterm"));
process.once("SIGUSR2", () => {
  const answer = connection.ping();
  console.log("sent");
  answer.then(
    (reply) => console.log(`answered ${String(reply)}`),
    (error: unknown) => console.log(`failed ${error instanceof Error ? error.message : String(error)}`),
  );
});
void connection.ping().then(() => console.log("connected"));
