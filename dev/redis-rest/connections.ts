// The bridge's Redis connections: one shared pipelined connection for ordinary commands, and
// dedicated ones, lent out one caller at a time, for transactions (MULTI … EXEC must not
// interleave with anyone) and blocking commands. Idle dedicated connections are kept for reuse.
import { RespClient } from './resp';

// Enough for a few concurrent transactions in dev and tests; more are opened on demand.
const MAX_IDLE_DEDICATED = 4;

export class RedisConnections {
  readonly shared: RespClient;
  private readonly idle: RespClient[] = [];
  private readonly lent = new Set<RespClient>();
  private closed = false;

  constructor(private readonly redisUrl: string) {
    this.shared = new RespClient(redisUrl);
  }

  /** Runs `use` with a connection nobody else writes to until it settles. */
  async withDedicated<T>(use: (client: RespClient) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('The bridge is closed');
    const client = this.idle.pop() ?? new RespClient(this.redisUrl);
    this.lent.add(client);
    let healthy = false;
    try {
      const result = await use(client);
      healthy = true;
      return result;
    } finally {
      this.lent.delete(client);
      // A connection that failed mid-transaction may hold half a MULTI; never reuse it.
      if (healthy && !this.closed && client.connected && this.idle.length < MAX_IDLE_DEDICATED) {
        this.idle.push(client);
      } else {
        void client.close();
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [this.shared, ...this.idle.splice(0), ...this.lent];
    await Promise.all(all.map((client) => client.close()));
  }
}
