import { InvalidConfigError, StoreUnavailableError } from "../errors.js";
import { withTimeout } from "../lib/with-timeout.js";
import type { OidcSession, OidcSessionStore } from "../oidc/types.js";
import type { RedisClientLike } from "./client.js";

/** Options of {@link redisSessionStore}. */
export interface RedisSessionStoreOptions {
  /** A connected node-redis client (`createClient({ url, disableOfflineQueue: true })`). */
  client: RedisClientLike;
  /** Prepended to every key. @default "handoff:oidc:session:" */
  prefix?: string;
  /** Milliseconds a command may take → 503 `ERR_STORE_UNAVAILABLE`. @default 500 */
  timeoutMs?: number;
}

/**
 * Server-side sessions for `createOidc` (`session.mode`), shared by every instance: the cookie
 * holds a random id only, Redis the tokens, under the id's SHA-256 with the session's
 * remaining lifetime as TTL (`SET … EX`). A rotation replaces the session in one `SET`, so no
 * instance ever reads half of one. A command that fails or takes longer than `timeoutMs` is
 * answered 503 `ERR_STORE_UNAVAILABLE`.
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * import { redisRefreshLock, redisSessionStore } from "handoff-bff/redis";
 *
 * const client = await createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true }).connect();
 * createOidc({ ..., session: { secret, mode: redisSessionStore({ client }) }, refresh: { lock: redisRefreshLock({ client }) } });
 * ```
 */
export function redisSessionStore(options: RedisSessionStoreOptions): OidcSessionStore {
  const { client, prefix = "handoff:oidc:session:", timeoutMs = 500 } = options ?? {};
  if (typeof client?.setEx !== "function" || typeof client.get !== "function") {
    throw new InvalidConfigError("redisSessionStore: client must be a connected Redis client");
  }
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new InvalidConfigError("redisSessionStore: timeoutMs must be a positive number");
  }
  const call = async <T>(command: Promise<T>): Promise<T> => {
    try {
      return await withTimeout(command, timeoutMs, "Redis");
    } catch (error) {
      throw new StoreUnavailableError(error);
    }
  };
  return {
    async get(key) {
      const value = await call(client.get(prefix + key));
      if (typeof value !== "string") return undefined;
      try {
        return JSON.parse(value) as OidcSession; // shape checked by the reader
      } catch {
        return undefined;
      }
    },
    async set(key, session, ttlSeconds) {
      const seconds = Math.max(1, Math.ceil(ttlSeconds));
      await call(client.setEx(prefix + key, seconds, JSON.stringify(session)));
    },
    async delete(key) {
      await call(client.del(prefix + key));
    },
  };
}
