/** What a {@link RevocationStore} tells the caches that subscribed to it. */
export interface RevocationListener {
  /** This session was revoked, on this instance or another: drop what is cached for it. */
  onRevoked(sessionKey: string): void;
  /**
   * Revocations may have been missed (the store's subscription was down and is back): drop
   * everything cached. Entries are then fetched again, each checked with `isRevoked`.
   */
  onResync?(): void;
}

/**
 * Where revoked sessions are announced, so that a cache of tokens (`betterAuthToken`) can drop
 * a signed-out session's token at once, on every instance. Sessions are named by their
 * session key (`TokenSource.sessionKey`: a hash, never the cookie). The default,
 * `memoryRevocation()`, reaches this process only; `redisRevocation` from `handoff-bff/redis`
 * reaches every instance through Redis publish/subscribe.
 *
 * @example
 * ```ts
 * const revocation = memoryRevocation();
 * const token = betterAuthToken(auth, { revocation });
 * // on sign-out, before or after auth.api.signOut:
 * await token.revoke(request);
 * ```
 */
export interface RevocationStore {
  /**
   * Announces that a session is revoked, to every subscriber (this instance's included), and
   * remembers it for a while so that an instance that was not listening can still refuse it.
   * Rejects when the announcement could not be made.
   */
  revoke(sessionKey: string): Promise<void>;
  /**
   * Whether a session was revoked recently; asked before a token is fetched for it. May throw
   * or reject (with a 503 `HandoffError` such as `ERR_REVOCATION_UNAVAILABLE`) when it cannot
   * tell.
   */
  isRevoked?(sessionKey: string): boolean | Promise<boolean>;
  /**
   * Whether revocations from other instances reach this one right now. While `false`, a cache
   * that subscribed serves nothing it holds (fail closed). Absent means always.
   */
  isLive?(): boolean;
  /** Calls `listener` for every revocation from now on; returns the function that stops it. */
  subscribe(listener: RevocationListener): () => void;
}
