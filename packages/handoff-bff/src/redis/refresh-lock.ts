import { InvalidConfigError, StoreUnavailableError } from "../errors.js";
import { withTimeout } from "../lib/with-timeout.js";
import type { RefreshLock } from "../oidc/types.js";
import type { RedisClientLike } from "./client.js";

/** Options of {@link redisRefreshLock}. */
export interface RedisRefreshLockOptions {
  /** A connected node-redis client. */
  client: RedisClientLike;
  /** Prepended to every lock key. @default "handoff:oidc:lock:" */
  prefix?: string;
  /**
   * Milliseconds the lock lives without renewal: a holder that dies frees it after this. It
   * is renewed every third of it while held, so a slow refresh keeps it.
   * @default 10_000
   */
  leaseMs?: number;
  /** Milliseconds a command may take → 503 `ERR_STORE_UNAVAILABLE`. @default 500 */
  timeoutMs?: number;
}

// Each token is random per acquisition: only the holder renews or releases (compare first,
// in one script, so that a lapsed holder never deletes the next one's lock).
const ACQUIRE = "return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) and 1 or 0";
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/**
 * A {@link RefreshLock} in Redis, so that one instance at a time refreshes a session's tokens
 * (a refresh token used twice is, with rotation, a replay that providers answer by revoking
 * the whole grant: RFC 9700 §4.14.2). `SET key token NX PX leaseMs` takes it; a Lua
 * compare-and-`PEXPIRE` renews it every `leaseMs / 3`; a Lua compare-and-`DEL` releases it.
 *
 * @example
 * ```ts
 * refresh: { lock: redisRefreshLock({ client }) }
 * ```
 */
export function redisRefreshLock(options: RedisRefreshLockOptions): RefreshLock {
  const {
    client,
    prefix = "handoff:oidc:lock:",
    leaseMs = 10_000,
    timeoutMs = 500,
  } = options ?? {};
  if (typeof client?.eval !== "function") {
    throw new InvalidConfigError("redisRefreshLock: client must be a connected Redis client");
  }
  if (!Number.isInteger(leaseMs) || leaseMs < 100) {
    throw new InvalidConfigError("redisRefreshLock: leaseMs must be an integer ≥ 100");
  }
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new InvalidConfigError("redisRefreshLock: timeoutMs must be a positive number");
  }
  const run = async (script: string, key: string, token: string): Promise<number> => {
    try {
      const call = { keys: [key], arguments: [token, String(leaseMs)] };
      return Number(await withTimeout(client.eval(script, call), timeoutMs, "Redis"));
    } catch (error) {
      throw new StoreUnavailableError(error);
    }
  };
  return {
    async acquire(name) {
      const key = prefix + name;
      const token = crypto.randomUUID();
      if ((await run(ACQUIRE, key, token)) !== 1) return null;
      const renewal = setInterval(
        () => {
          run(RENEW, key, token).catch(() => {}); // a missed renewal: the lease still runs
        },
        Math.floor(leaseMs / 3),
      );
      return async () => {
        clearInterval(renewal);
        await run(RELEASE, key, token);
      };
    },
  };
}
