import { createClient } from "redis";

/** A connected node-redis client. */
type RedisClient = ReturnType<typeof createClient>;

/** The two connections an instance holds: commands, and publish/subscribe (which needs its own). */
export interface RedisConnections {
  readonly client: RedisClient;
  readonly subscriber: RedisClient;
  /** Closes both; pending commands are answered first. Calling it again is harmless. */
  close(): Promise<void>;
  /** Drops both connections at once (synchronous, for `process.on("exit")`). */
  destroy(): void;
}

/** How long start-up waits for Redis: node-redis's `connect()` would retry for ever. */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * Connects to `REDIS_URL`: one client for commands and a duplicate for the revocation channel.
 * `disableOfflineQueue`: a command made while Redis is down fails at once instead of waiting in
 * node-redis's queue for the reconnection, so no request waits on Redis (each store also gives
 * up after its own timeout). The subscriber pings every 5 s, so that a connection that died
 * silently is noticed and revocation fails closed. Errors are logged by message only, never
 * the URL (it may hold a password); node-redis reconnects by itself.
 *
 * @example
 * ```ts
 * const redis = await connectRedis(config.redis.url);
 * await redis.client.ping();
 * ```
 */
export async function connectRedis(url: string): Promise<RedisConnections> {
  const log = (role: string) => (error: Error) => {
    console.error(`redis (${role}): ${error.message}`);
  };
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: { connectTimeout: 1000 },
  }).on("error", throttled(log("client")));
  const subscriber = client
    .duplicate({ pingInterval: 5000 })
    .on("error", throttled(log("subscriber")));
  const close = async () => {
    await Promise.all(
      [client, subscriber].map((connection) =>
        connection.isOpen ? connection.close().catch(() => connection.destroy()) : undefined,
      ),
    );
  };
  const destroy = () => {
    for (const connection of [client, subscriber]) if (connection.isOpen) connection.destroy();
  };
  try {
    await withDeadline(Promise.all([client.connect(), subscriber.connect()]), CONNECT_TIMEOUT_MS);
  } catch (error) {
    destroy();
    throw error;
  }
  return { client, subscriber, close, destroy };
}

/** One line per outage rather than one per reconnection attempt (every few hundred ms). */
function throttled(log: (error: Error) => void): (error: Error) => void {
  let last = "";
  let at = 0;
  return (error) => {
    const now = Date.now();
    if (error.message === last && now - at < 60_000) return;
    last = error.message;
    at = now;
    log(error);
  };
}

async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
