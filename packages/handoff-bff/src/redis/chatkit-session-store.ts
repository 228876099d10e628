import type { ChatKitSessionStore, IssuedChatKitSession } from "../chatkit/types.js";
import { InvalidConfigError, StoreUnavailableError } from "../errors.js";
import { withTimeout } from "../lib/with-timeout.js";
import type { RedisClientLike } from "./client.js";

/** Options of {@link redisChatKitSessionStore}. */
export interface RedisChatKitSessionStoreOptions {
  /** A connected node-redis client (`createClient({ url, disableOfflineQueue: true })`). */
  client: RedisClientLike;
  /** Prepended to every key. @default "handoff:chatkit:" */
  prefix?: string;
  /** Milliseconds a command may take → 503 `ERR_STORE_UNAVAILABLE`. @default 500 */
  timeoutMs?: number;
}

/** A `ChatKitSessionStore` that also has `take`. */
export interface RedisChatKitSessionStore extends ChatKitSessionStore {
  take(key: string): Promise<IssuedChatKitSession | undefined>;
}

/**
 * A `ChatKitSessionStore` in Redis, shared by every instance: a refresh that reaches another
 * instance than the start finds its binding. `SET … EX` remembers a session, and `take`
 * (`GETDEL`) claims it atomically, so a client secret is exchanged once across all instances.
 * A command that fails or takes longer than `timeoutMs` is answered 503
 * `ERR_STORE_UNAVAILABLE` (refreshes fail closed).
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * import { redisChatKitSessionStore } from "handoff-bff/redis";
 *
 * const redis = await createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true }).connect();
 * createChatKitSessions({ ..., store: redisChatKitSessionStore({ client: redis }) });
 * ```
 */
export function redisChatKitSessionStore(
  options: RedisChatKitSessionStoreOptions,
): RedisChatKitSessionStore {
  const { client, prefix = "handoff:chatkit:", timeoutMs = 500 } = options ?? {};
  if (typeof client?.getDel !== "function" || typeof client.setEx !== "function") {
    throw new InvalidConfigError(
      "redisChatKitSessionStore: client must be a connected Redis client",
    );
  }
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new InvalidConfigError("redisChatKitSessionStore: timeoutMs must be a positive number");
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
      return parse(await call(client.get(prefix + key)));
    },
    async set(key, session, ttlSeconds) {
      const { sessionId, user, expiresAt } = session;
      const value = JSON.stringify({ sessionId, user, expiresAt });
      await call(client.setEx(prefix + key, Math.max(1, Math.ceil(ttlSeconds)), value));
    },
    async delete(key) {
      await call(client.del(prefix + key));
    },
    async take(key) {
      return parse(await call(client.getDel(prefix + key)));
    },
  };
}

/** A stored record, or `undefined` for anything else (absent, or not written by `set`). */
function parse(value: unknown): IssuedChatKitSession | undefined {
  if (typeof value !== "string") return undefined;
  try {
    const record = JSON.parse(value) as Partial<IssuedChatKitSession> | null;
    if (
      typeof record?.sessionId === "string" &&
      typeof record.user === "string" &&
      typeof record.expiresAt === "number"
    ) {
      return { sessionId: record.sessionId, user: record.user, expiresAt: record.expiresAt };
    }
  } catch {
    // not JSON: treated as absent
  }
  return undefined;
}
