import { InvalidConfigError } from "../errors.js";
import { setBounded } from "../lib/bounded-map.js";
import type { ChatKitSessionStore, IssuedChatKitSession } from "./types.js";

/** Options of {@link memorySessionStore}. */
export interface MemorySessionStoreOptions {
  /**
   * Most sessions remembered at once. Expired ones are dropped first; beyond this, the oldest
   * is forgotten early (its user's next refresh is refused, and the browser helper then starts
   * a new session), so a flood of sessions cannot grow memory.
   * @default 10_000
   */
  maxSessions?: number;
}

interface Entry {
  session: IssuedChatKitSession;
  forgetAt: number;
}

/**
 * The default {@link ChatKitSessionStore}: a `Map` in this process. Sessions are forgotten
 * after their `ttlSeconds`, on the next access. With several instances, or when refreshes must
 * survive a restart, use a shared store (see `ChatKitSessionStore`).
 *
 * @example
 * ```ts
 * createChatKitSessions({ ..., store: memorySessionStore({ maxSessions: 100_000 }) });
 * ```
 */
export function memorySessionStore(options: MemorySessionStoreOptions = {}): ChatKitSessionStore {
  const max = options.maxSessions ?? 10_000;
  if (!Number.isInteger(max) || max < 1) {
    throw new InvalidConfigError("memorySessionStore: maxSessions must be a positive integer");
  }
  // Every entry gets the same grace, so insertion order is close to expiry order: expired
  // entries gather at the front, where `set` drops them.
  const entries = new Map<string, Entry>();
  return {
    get(key) {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      if (entry.forgetAt <= Date.now()) {
        entries.delete(key);
        return undefined;
      }
      return entry.session;
    },
    set(key, session, ttlSeconds) {
      const now = Date.now();
      setBounded(
        entries,
        key,
        { session: { ...session }, forgetAt: now + ttlSeconds * 1000 },
        { max, now, expiresAt: (entry) => entry.forgetAt },
      );
    },
    delete(key) {
      entries.delete(key);
    },
    take(key) {
      const entry = entries.get(key);
      entries.delete(key);
      return entry === undefined || entry.forgetAt <= Date.now() ? undefined : entry.session;
    },
  };
}
