/**
 * One signed-in session: what the callback got from the provider, and what each refresh
 * replaced. Kept sealed in the session cookie, or in a {@link OidcSessionStore} with only a
 * random id in the cookie. Never sent to the browser in readable form.
 */
export interface OidcSession {
  /** Random, fixed for the life of the session (a rotation keeps it). */
  id: string;
  /** The ID token's `sub`. */
  sub: string;
  /** The ID token's `sid` (the provider's session), when it has one: back-channel logout names it. */
  sid?: string | undefined;
  /** The latest ID token: its claims are the user's, and it is `id_token_hint` on logout. */
  idToken: string;
  accessToken: string;
  refreshToken?: string | undefined;
  /** Epoch ms at which the access token expires. */
  expiresAt: number;
  /** Epoch ms of the sign-in. */
  createdAt: number;
  /** Epoch ms of the last refresh (or the sign-in): a newer one supersedes an older copy. */
  updatedAt: number;
}

/**
 * Where server-side sessions live (`session.mode` of `createOidc`): `redisSessionStore` from
 * `handoff-bff/redis`, or yours. Keys are SHA-256 hashes of the random id in the cookie, so
 * the store never holds the cookie itself. `set` replaces a session whole (a rotation is saved
 * atomically); a store that cannot answer should throw a 503 `HandoffError`
 * (`ERR_STORE_UNAVAILABLE`).
 *
 * @example
 * ```ts
 * const sessions = new Map<string, OidcSession>();
 * const store: OidcSessionStore = {
 *   get: async (key) => sessions.get(key),
 *   set: async (key, session) => void sessions.set(key, session),
 *   delete: async (key) => void sessions.delete(key),
 * };
 * ```
 */
export interface OidcSessionStore {
  get(key: string): Promise<OidcSession | undefined>;
  set(key: string, session: OidcSession, ttlSeconds: number): Promise<void>;
  delete(key: string): Promise<void>;
}

/**
 * A lock that lets one instance at a time refresh a session's tokens (`refresh.lock` of
 * `createOidc`): `redisRefreshLock` from `handoff-bff/redis`. The lock keeps itself alive while
 * held (lease renewal) and lapses by itself if its holder dies.
 *
 * @example
 * ```ts
 * createOidc({ ..., session: { secret, mode: redisSessionStore({ client }) }, refresh: { lock: redisRefreshLock({ client }) } });
 * ```
 */
export interface RefreshLock {
  /**
   * Takes the lock named `key`, or resolves to `null` at once when another holder has it.
   * Resolves to the function that releases it (only if still held by this caller).
   */
  acquire(key: string): Promise<(() => Promise<void>) | null>;
}
