/**
 * Finds the bearer token for a request, or `null` when the request carries no session.
 * A source may throw for a fault of its own (a store that is down); the proxy answers that
 * with 500 `ERR_TOKEN_SOURCE`, while `null` is answered with 401 `ERR_UNAUTHENTICATED`. A
 * `HandoffError` with status 401 that it throws is answered as itself (the built-in sources
 * do so for `ERR_AMBIGUOUS_SESSION_COOKIE`).
 *
 * @example
 * ```ts
 * const fromHeader: TokenSource = async (request) => request.headers.get("x-demo-token");
 * ```
 */
export type TokenSource = (request: Request) => Promise<string | null> | string | null;
