import { InvalidConfigError, RevocationUnavailableError } from "../errors.js";
import { withTimeout } from "../lib/with-timeout.js";
import type { RevocationListener, RevocationStore } from "../revocation/types.js";
import type { RedisClientLike, RedisSubscriberLike } from "./client.js";

/** Options of {@link redisRevocation}. */
export interface RedisRevocationOptions {
  /** A connected node-redis client, for `SET … EX`, `EXISTS` and `PUBLISH`. */
  client: RedisClientLike;
  /** A second connected client, for `SUBSCRIBE` only (`client.duplicate()`, connected). */
  subscriber: RedisSubscriberLike;
  /** Prepended to the revoked-session keys and the channel. @default "handoff:" */
  prefix?: string;
  /**
   * How long a revoked session is remembered in Redis, so that an instance that was not
   * listening (restarted, reconnected) refuses it too. Cover at least a JWT's lifetime.
   * @default 86_400 (a day)
   */
  ttlSeconds?: number;
  /** Milliseconds a command may take → 503 `ERR_REVOCATION_UNAVAILABLE`. @default 500 */
  timeoutMs?: number;
}

/** A {@link RevocationStore} in Redis; `close()` unsubscribes. */
export interface RedisRevocation extends RevocationStore {
  isRevoked(sessionKey: string): Promise<boolean>;
  isLive(): boolean;
  /** Stops listening (the clients stay open: they are yours). */
  close(): Promise<void>;
}

/** A session key names a session by a hash: short, and printable. */
const SESSION_KEY = /^[\x21-\x7e]{1,256}$/;

/**
 * A {@link RevocationStore} shared by every instance through Redis: `revoke` sets
 * `<prefix>revoked:<key>` (with `ttlSeconds`) and publishes the key on `<prefix>revoked`;
 * every instance's subscription drops that session's cached JWT within milliseconds. While the
 * subscription is down, `isLive()` is `false` and `betterAuthToken` serves no cached JWT
 * (503 `ERR_REVOCATION_UNAVAILABLE`); when node-redis has reconnected and re-subscribed, the
 * caches are emptied (revocations may have been missed) and refill, each session checked
 * against the revoked keys. Resolves once subscribed.
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * import { redisRevocation } from "handoff-bff/redis";
 *
 * const client = await createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true }).connect();
 * const subscriber = await client.duplicate().connect();
 * export const token = betterAuthToken(auth, { revocation: await redisRevocation({ client, subscriber }) });
 * // sign-out: await token.revoke(request);
 * ```
 */
export async function redisRevocation(options: RedisRevocationOptions): Promise<RedisRevocation> {
  const {
    client,
    subscriber,
    prefix = "handoff:",
    ttlSeconds = 86_400,
    timeoutMs = 500,
  } = options ?? {};
  if (typeof client?.publish !== "function" || typeof client.exists !== "function") {
    throw new InvalidConfigError("redisRevocation: client must be a connected Redis client");
  }
  if (typeof subscriber?.subscribe !== "function" || typeof subscriber.on !== "function") {
    throw new InvalidConfigError(
      "redisRevocation: subscriber must be a second connected Redis client (client.duplicate())",
    );
  }
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
    throw new InvalidConfigError("redisRevocation: ttlSeconds must be a positive integer");
  }
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new InvalidConfigError("redisRevocation: timeoutMs must be a positive number");
  }
  const channel = `${prefix}revoked`;
  const listeners = new Set<RevocationListener>();
  let subscribed = false;
  let missed = false;

  const onMessage = (message: string) => {
    if (!SESSION_KEY.test(message)) return;
    for (const listener of listeners) listener.onRevoked(message);
  };
  // Only a lost connection counts: an `error` event while the socket is still up (a reply
  // node-redis could not parse) is no gap in what was heard.
  const onDown = () => {
    if (!subscriber.isReady) missed = true;
  };
  // node-redis emits `ready` once it has reconnected and re-subscribed.
  const onReady = () => {
    if (!missed) return;
    missed = false;
    for (const listener of listeners) listener.onResync?.();
  };
  subscriber.on("error", onDown);
  subscriber.on("reconnecting", onDown);
  subscriber.on("end", onDown);
  subscriber.on("ready", onReady);
  try {
    await withTimeout(
      Promise.resolve(subscriber.subscribe(channel, onMessage)),
      timeoutMs * 4,
      "Redis",
    );
  } catch (error) {
    throw new RevocationUnavailableError(error);
  }
  subscribed = true;

  const call = async <T>(command: Promise<T>): Promise<T> => {
    try {
      return await withTimeout(command, timeoutMs, "Redis");
    } catch (error) {
      throw new RevocationUnavailableError(error);
    }
  };

  return {
    async revoke(sessionKey) {
      if (!SESSION_KEY.test(sessionKey)) {
        throw new TypeError("redisRevocation: a session key is 1–256 printable characters");
      }
      // This instance at once, without waiting for its own message to come back.
      for (const listener of listeners) listener.onRevoked(sessionKey);
      await call(
        Promise.all([
          client.setEx(`${channel}:${sessionKey}`, ttlSeconds, "1"),
          client.publish(channel, sessionKey),
        ]),
      );
    },
    async isRevoked(sessionKey) {
      return Number(await call(client.exists(`${channel}:${sessionKey}`))) > 0;
    },
    isLive() {
      return subscribed && !missed && subscriber.isReady;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      subscribed = false;
      subscriber.off("error", onDown);
      subscriber.off("reconnecting", onDown);
      subscriber.off("end", onDown);
      subscriber.off("ready", onReady);
      await subscriber.unsubscribe(channel, onMessage).catch(() => {});
    },
  };
}
