/**
 * Finds the bearer token for a request, or `null` when the request carries no session.
 * A source may throw for a fault of its own (a store that is down); the proxy answers that
 * with 500 `ERR_TOKEN_SOURCE`, while `null` is answered with 401 `ERR_UNAUTHENTICATED`. A
 * `HandoffError` with status 401 or 503 that it throws is answered as itself (the built-in
 * sources do so for `ERR_AMBIGUOUS_SESSION_COOKIE` and `ERR_REVOCATION_UNAVAILABLE`).
 *
 * A source may also name the session a request belongs to, with `sessionKey`: see
 * {@link SessionKey}.
 *
 * @example
 * ```ts
 * const fromHeader: TokenSource = async (request) => request.headers.get("x-demo-token");
 * ```
 */
export interface TokenSource {
  (request: Request): Promise<string | null> | string | null;
  /** The request's session, the same on every instance; see {@link SessionKey}. */
  sessionKey?: SessionKey | undefined;
}

/**
 * A stable, non-secret name for the session a request carries (the built-in sources: the
 * base64url SHA-256 of the session cookie), or `null` when it carries none. Unlike the token,
 * which each instance of a cluster may have fetched or cached separately, it is the same on
 * every instance, so `rateLimit.perSession` counts by it when the source offers one, and a
 * revocation names a session by it.
 *
 * @example
 * ```ts
 * const source: TokenSource = Object.assign(async (request: Request) => lookUp(request), {
 *   sessionKey: async (request: Request) => sha256(request.headers.get("x-session") ?? ""),
 * });
 * ```
 */
export type SessionKey = (request: Request) => Promise<string | null> | string | null;
