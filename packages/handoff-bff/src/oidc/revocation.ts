import { RevocationUnavailableError } from "../errors.js";
import { setBounded } from "../lib/bounded-map.js";
import { sha256Base64url } from "../lib/sha256.js";
import type { RevocationStore } from "../revocation/types.js";
import type { ReadSession } from "./sessions.js";

/** Whether sessions have been ended elsewhere: back-channel logout, sign-out on another instance. */
export interface SessionRevocation {
  /** `true` when the session was revoked; throws 503 while revocations cannot be heard. */
  isRevoked(read: ReadSession): Promise<boolean>;
  /** Whether `name` was revoked (heard here, or remembered by the store). */
  wasRevoked(name: string): Promise<boolean>;
  revoke(key: string): Promise<void>;
}

const MAX_ENTRIES = 10_000;
const DAY_MS = 86_400_000;

/**
 * Sessions are revoked by three names: `session:<key>` (one session, at sign-out), `sid:<sid>`
 * (the provider's session) and `sub:<sub>` (every session of a user), as back-channel logout
 * names them (OpenID Connect Back-Channel Logout 1.0 §2.4). A `sid:` or `sub:` revocation
 * ends the sessions signed in before it, not the ones signed in after: the time it was heard
 * is compared with the session's `createdAt`.
 *
 * As in `betterAuthToken`, the store is asked once per session and process; later revocations
 * arrive by subscription, and while the subscription is down (`isLive()` false) requests are
 * refused with 503 `ERR_REVOCATION_UNAVAILABLE` (fail closed). An instance that did not hear a
 * `sid:`/`sub:` revocation (started after it) only knows that it happened: it refuses every
 * such session for the store's `ttlSeconds`.
 */
export function sessionRevocation(store: RevocationStore): SessionRevocation {
  const heard = new Map<string, number>();
  const checked = new Map<string, number>();
  store.subscribe({
    onRevoked(key) {
      const now = Date.now();
      setBounded(heard, key, now, { max: MAX_ENTRIES, now, expiresAt: (at) => at + DAY_MS });
    },
    onResync() {
      checked.clear();
    },
  });
  const names = async ({ session, key }: ReadSession) => [
    `session:${key}`,
    ...(session.sid === undefined ? [] : [await revocationKey("sid", session.sid)]),
    await revocationKey("sub", session.sub),
  ];
  return {
    async isRevoked(read) {
      if (store.isLive?.() === false) throw new RevocationUnavailableError();
      const unheard: string[] = [];
      for (const name of await names(read)) {
        const at = heard.get(name);
        if (at === undefined) unheard.push(name);
        else if (name.startsWith("session:") || at >= read.session.createdAt) return true;
      }
      if (store.isRevoked === undefined || checked.has(read.key)) return false;
      try {
        for (const name of unheard) if (await store.isRevoked(name)) return true;
      } catch (error) {
        throw error instanceof RevocationUnavailableError
          ? error
          : new RevocationUnavailableError(error);
      }
      const now = Date.now();
      setBounded(checked, read.key, now + DAY_MS, {
        max: MAX_ENTRIES,
        now,
        expiresAt: (until) => until,
      });
      return false;
    },
    async wasRevoked(name) {
      if (heard.has(name)) return true;
      try {
        return (await store.isRevoked?.(name)) === true;
      } catch (error) {
        throw error instanceof RevocationUnavailableError
          ? error
          : new RevocationUnavailableError(error);
      }
    },
    revoke: (key) => store.revoke(key),
  };
}

/** A revocation store's key is 1–256 printable characters: other values go by their hash. */
const PRINTABLE = /^[\x21-\x7e]{1,240}$/;

/** `sid:<sid>` or `sub:<sub>`; `sid#<sha-256>` for a value that is not short printable ASCII. */
export async function revocationKey(kind: "sid" | "sub" | "jti", value: string): Promise<string> {
  return PRINTABLE.test(value) ? `${kind}:${value}` : `${kind}#${await sha256Base64url(value)}`;
}
