/** keysWithTtl for stores on real Redis servers: SCANs each server (every master of a cluster) for the ids. */
export async function redisKeysWithTtl(
  serverUrls: readonly string[],
  ids: readonly string[],
): Promise<Array<{ key: string; ttlMs: number }>> {
  const { connectRedis } = await import("./redis");
  const found: Array<{ key: string; ttlMs: number }> = [];
  for (const url of serverUrls) {
    const client = await connectRedis(url);
    try {
      for (const id of ids) {
        let cursor = "0";
        do {
          const [next, keys] = await client.sendCommand<[string, string[]]>([
            "SCAN",
            cursor,
            "MATCH",
            `esr:*${id.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`,
            "COUNT",
            "1000",
          ]);
          cursor = next;
          for (const key of keys) found.push({ key, ttlMs: await client.sendCommand<number>(["PTTL", key]) });
        } while (cursor !== "0");
      }
    } finally {
      await client.close();
    }
  }
  return found;
}
