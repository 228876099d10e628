import { InvalidConfigError, StoreUnavailableError } from "../errors.js";
import { withTimeout } from "../lib/with-timeout.js";
import type { RateLimitHit, RateLimitStore } from "../rate-limit/types.js";
import type { RedisClientLike } from "./client.js";

/** Options of {@link redisRateLimitStore}. */
export interface RedisRateLimitStoreOptions {
  /** A connected node-redis client (`createClient({ url, disableOfflineQueue: true })`). */
  client: RedisClientLike;
  /** Prepended to every key (`<prefix>ip:…`, `<prefix>session:…`). @default "handoff:rl:" */
  prefix?: string;
  /**
   * What a request meets while Redis does not answer: `"closed"` refuses it with 503
   * `ERR_STORE_UNAVAILABLE`, `"open"` lets it through uncounted. Closed is the safe side: a
   * limit that lifts whenever Redis is down is no limit against whoever can make it so.
   * @default "closed"
   */
  onError?: "closed" | "open";
  /**
   * Milliseconds a count may take before Redis counts as down, so that no request waits on it.
   * @default 500
   */
  timeoutMs?: number;
  /** Called once when Redis stops answering (and again after it has answered since), to log it. */
  onOutage?: (error: Error) => void;
}

// One round trip and atomic: no other client's command runs between these three. PTTL < 0
// means the window has no end yet (this hit started it, or a key was left without one).
const SCRIPT = `local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}`;

/**
 * A {@link RateLimitStore} shared by every instance through Redis: fixed windows, counted by a
 * Lua script (`INCR`, `PEXPIRE` when the window starts, `PTTL`) run with `EVALSHA` (`EVAL` the
 * first time), so N instances allow `limit` requests together, not N × `limit`. Never holds a
 * request longer than `timeoutMs`; then `onError` decides.
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * import { redisRateLimitStore } from "handoff-bff/redis";
 *
 * const redis = await createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true }).connect();
 * createProxy({ ..., rateLimit: { perSession: { limit: 300, windowSeconds: 60 }, store: redisRateLimitStore({ client: redis }) } });
 * ```
 */
export function redisRateLimitStore(options: RedisRateLimitStoreOptions): RateLimitStore {
  const {
    client,
    prefix = "handoff:rl:",
    onError = "closed",
    timeoutMs = 500,
    onOutage,
  } = options ?? {};
  if (typeof client?.evalSha !== "function" || typeof client.eval !== "function") {
    throw new InvalidConfigError("redisRateLimitStore: client must be a connected Redis client");
  }
  if (onError !== "closed" && onError !== "open") {
    throw new InvalidConfigError('redisRateLimitStore: onError must be "closed" or "open"');
  }
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new InvalidConfigError("redisRateLimitStore: timeoutMs must be a positive number");
  }
  let sha: Promise<string> | undefined;
  let down = false;

  async function run(key: string, windowMs: number): Promise<RateLimitHit> {
    sha ??= sha1Hex(SCRIPT);
    const call = { keys: [prefix + key], arguments: [String(Math.ceil(windowMs))] };
    let reply: unknown;
    try {
      reply = await client.evalSha(await sha, call);
    } catch (error) {
      if (!String((error as Error)?.message).startsWith("NOSCRIPT")) throw error;
      reply = await client.eval(SCRIPT, call); // loads the script for the next EVALSHA
    }
    const [count, ttl] = Array.isArray(reply) ? reply.map(Number) : [];
    if (!Number.isInteger(count) || !Number.isFinite(ttl)) {
      throw new Error("redisRateLimitStore: unexpected reply from the script");
    }
    return { count: count as number, resetAt: Date.now() + Math.max(0, ttl as number) };
  }

  return {
    async hit(key, windowMs) {
      try {
        const hit = await withTimeout(run(key, windowMs), timeoutMs, "Redis");
        down = false;
        return hit;
      } catch (error) {
        if (!down) {
          down = true;
          onOutage?.(error instanceof Error ? error : new Error(String(error)));
        }
        if (onError === "open") return { count: 0, resetAt: Date.now() };
        throw new StoreUnavailableError(error);
      }
    },
  };
}

/** SHA-1 of the script, as `EVALSHA` names it, through Web Crypto (no `node:crypto`). */
async function sha1Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
