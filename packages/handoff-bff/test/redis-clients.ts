import { createClient } from "redis";

export type Client = ReturnType<typeof createClient>;

/**
 * Connected node-redis clients, closed by `closeAll()`. Reconnects every 100 ms, so that the
 * outage tests see recovery quickly; `offlineQueue: true` keeps node-redis's default (commands
 * wait for the reconnection), which the stores must survive through their own timeout.
 */
export function redisClients(url: string) {
  const open: Client[] = [];
  return {
    async connect(options: { offlineQueue?: boolean } = {}): Promise<Client> {
      const client = createClient({
        url,
        disableOfflineQueue: !options.offlineQueue,
        socket: { reconnectStrategy: () => 100, connectTimeout: 1000 },
      });
      client.on("error", () => {}); // expected while a test has stopped the server
      open.push(client);
      return client.connect();
    },
    async closeAll(): Promise<void> {
      await Promise.all(open.splice(0).map((client) => client.destroy()));
    },
  };
}

/** A key prefix no other test uses, so that files can share one Redis. */
export function uniquePrefix(name: string): string {
  return `test:${name}:${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}:`;
}

/** Polls `check` every 20 ms until it holds; rejects after `timeoutMs`. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 1000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
