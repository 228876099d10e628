import { InvalidConfigError } from "../errors.js";
import { setBounded } from "../lib/bounded-map.js";
import type { RateLimitHit, RateLimitStore } from "./types.js";

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Most keys counted at once. Ended windows are dropped first; beyond this, the window that
   * started longest ago is forgotten early, so a flood of distinct keys errs towards allowing
   * requests rather than growing memory.
   * @default 10_000
   */
  maxKeys?: number;
}

/** A {@link RateLimitStore} that answers synchronously. */
export interface MemoryStore extends RateLimitStore {
  hit(key: string, windowMs: number): RateLimitHit;
}

interface Window {
  count: number;
  resetAt: number;
}

/**
 * The default {@link RateLimitStore}: fixed windows counted in a `Map`, in this process only.
 * A fixed window needs one counter and one time per key, costs O(1) per request, and maps onto
 * Redis's `INCR` + `PEXPIRE`; its price is that a client may fit up to twice the limit into
 * the seconds around a window's end (a sliding window or token bucket would not, for more
 * state or more work per request).
 *
 * @example
 * ```ts
 * createProxy({ ..., rateLimit: { perIp: { limit: 600, windowSeconds: 60 }, store: memoryStore({ maxKeys: 100_000 }) } });
 * ```
 */
export function memoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const maxKeys = options.maxKeys ?? 10_000;
  if (!Number.isInteger(maxKeys) || maxKeys < 1) {
    throw new InvalidConfigError("memoryStore: maxKeys must be a positive integer");
  }
  // Insertion order is the order in which windows started (a key whose window ended is
  // deleted and added again), so ended windows gather at the front.
  const windows = new Map<string, Window>();
  return {
    hit(key, windowMs): RateLimitHit {
      const now = Date.now();
      const current = windows.get(key);
      if (current !== undefined && current.resetAt > now) {
        current.count += 1;
        return { count: current.count, resetAt: current.resetAt };
      }
      const started = { count: 1, resetAt: now + windowMs };
      setBounded(windows, key, started, {
        max: maxKeys,
        now,
        expiresAt: (window) => window.resetAt,
      });
      return { count: 1, resetAt: started.resetAt };
    },
  };
}
