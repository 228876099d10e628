import { InvalidConfigError } from "../errors.js";
import { setBounded } from "../lib/bounded-map.js";
import type { RevocationListener, RevocationStore } from "./types.js";

/** Options of {@link memoryRevocation}. */
export interface MemoryRevocationOptions {
  /**
   * How long a revoked session is remembered (and refused a new token). Better Auth deletes a
   * signed-out session itself; this covers a replayed cookie until then.
   * @default 3600
   */
  ttlSeconds?: number;
  /**
   * Most revoked sessions remembered; beyond it the oldest is forgotten early.
   * @default 10_000
   */
  maxEntries?: number;
}

/**
 * The default {@link RevocationStore}: revocations reach the caches of this process only, at
 * once. With several instances, use `redisRevocation` from `handoff-bff/redis`.
 *
 * @example
 * ```ts
 * const token = betterAuthToken(auth, { revocation: memoryRevocation() });
 * ```
 */
export function memoryRevocation(options: MemoryRevocationOptions = {}): RevocationStore {
  const ttlMs = (options.ttlSeconds ?? 3600) * 1000;
  const max = options.maxEntries ?? 10_000;
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new InvalidConfigError("memoryRevocation: ttlSeconds must be a positive number");
  }
  if (!Number.isInteger(max) || max < 1) {
    throw new InvalidConfigError("memoryRevocation: maxEntries must be a positive integer");
  }
  const revoked = new Map<string, number>();
  const listeners = new Set<RevocationListener>();
  return {
    async revoke(sessionKey) {
      const now = Date.now();
      setBounded(revoked, sessionKey, now + ttlMs, { max, now, expiresAt: (until) => until });
      for (const listener of listeners) listener.onRevoked(sessionKey);
    },
    isRevoked(sessionKey) {
      const until = revoked.get(sessionKey);
      return until !== undefined && until > Date.now();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
