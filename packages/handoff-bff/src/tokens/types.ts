import type { RevocationStore } from "../revocation/types.js";

/**
 * Finds the bearer token for a request, or `null` when the request carries no session; or a
 * {@link TokenResult}, when the source must also set cookies (a session it rewrote).
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
  (request: Request): Promise<string | TokenResult | null> | string | TokenResult | null;
  /** The request's session, the same on every instance; see {@link SessionKey}. */
  sessionKey?: SessionKey | undefined;
  /**
   * Asked by the proxy, at most once per request, when the upstream refused the token it was
   * given (401 with `WWW-Authenticate: Bearer error="invalid_token"`, RFC 6750 §3.1) to a
   * request it can send again (GET, HEAD, OPTIONS, PUT, DELETE, with no streamed body): a new
   * token (or a {@link TokenResult}, whose cookies are added to the answer) for one retry, or
   * `null` to pass the 401 on. May throw as the source itself does. `oidc.token` (from
   * `handoff-bff/oidc`) refreshes the session here.
   */
  renew?:
    | ((request: Request, rejected: string) => Promise<string | TokenResult | null>)
    | undefined;
  /**
   * Where this source's sessions are announced revoked (by `sessionKey`): a WebSocket relayed
   * by the proxy subscribes, and closes with 4401 when its session is revoked. `betterAuthToken`
   * sets it to its `revocation` option.
   */
  revocation?: RevocationStore | undefined;
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

/**
 * What a token source returns when it must also set cookies on the response: a session it
 * refreshed and rewrote (`authjsToken` with `refresh`), or one it expired. The proxy sends
 * `setCookie` with whatever it answers for the request (the upstream's response, a 401 when
 * `token` is `null`, a later 429 or 502), added after the `setCookie` policy has filtered the
 * upstream's own cookies, which therefore never filters these. A response that carries them gets
 * `Cache-Control: private, no-store` in place of the upstream's: a shared cache must not hand a
 * session cookie to someone else (RFC 9111 §7.3: `Set-Cookie` does not prevent storing).
 *
 * A source that fails and must expire its cookie throws `new errors.SessionExpiredError(cause, setCookie)`
 * (401 `ERR_SESSION_EXPIRED`), whose response carries them instead.
 *
 * @example
 * ```ts
 * const source: TokenSource = async (request) => {
 *   const session = await load(request);
 *   if (session === null) return null;
 *   return { token: session.accessToken, setCookie: [`sid=${session.id}; Path=/; HttpOnly; Secure; SameSite=Lax`] };
 * };
 * ```
 */
export interface TokenResult {
  /** The bearer token, or `null` for "no session" (401 `ERR_UNAUTHENTICATED`). */
  token: string | null;
  /**
   * Complete `Set-Cookie` header values, one cookie each. One with CR, LF or NUL is refused
   * (500 `ERR_TOKEN_SOURCE`), as it would split the response head.
   */
  setCookie?: readonly string[];
}
