/**
 * The commands `handoff-bff/redis` sends, typed by shape so that the package does not depend
 * on a Redis client: a connected node-redis v5 client (`await createClient(…).connect()`)
 * fits. Create it with `disableOfflineQueue: true`, so that a command made while Redis is
 * unreachable fails at once instead of waiting in node-redis's queue (each store also gives
 * up after its `timeoutMs`, queue or not).
 */
export interface RedisClientLike {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  evalSha(sha1: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  get(key: string): Promise<unknown>;
  getDel(key: string): Promise<unknown>;
  setEx(key: string, seconds: number, value: string): Promise<unknown>;
  del(key: string): Promise<unknown>;
  exists(key: string): Promise<unknown>;
  publish(channel: string, message: string): Promise<unknown>;
}

/**
 * A connection in subscriber mode: node-redis needs one of its own for publish/subscribe
 * (`client.duplicate()`, connected). It re-subscribes by itself after a reconnection, before
 * it emits `ready`.
 */
export interface RedisSubscriberLike {
  readonly isReady: boolean;
  subscribe(
    channel: string,
    listener: (message: string, channel: string) => unknown,
  ): Promise<unknown>;
  unsubscribe(
    channel: string,
    listener: (message: string, channel: string) => unknown,
  ): Promise<unknown>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}
