/** One limit: at most `limit` requests per `windowSeconds`. */
export interface RateLimitRule {
  /** Requests allowed per window; the next one is answered 429 `ERR_RATE_LIMITED`. */
  limit: number;
  /** The window's length in seconds. It starts with a key's first request (a fixed window). */
  windowSeconds: number;
}

/** Where a {@link RateLimitStore} has counted a key so far. */
export interface RateLimitHit {
  /** Requests counted in the current window, this one included. */
  count: number;
  /** When the current window ends, in epoch milliseconds. */
  resetAt: number;
}

/**
 * Counts requests per key in fixed windows. The default keeps counts in memory, per process;
 * implement this to share them between instances (Redis: `INCR key`, `PEXPIRE key <windowMs> NX`,
 * `PTTL key`, in one `MULTI`). Keys are short and hold no credential: `ip:<address>` or
 * `session:<session key, or SHA-256 of the token>`. A store that throws or rejects is answered
 * 500 `ERR_INTERNAL` (or as itself, when it throws a `HandoffError` such as 503
 * `ERR_STORE_UNAVAILABLE`): limits fail closed. `redisRateLimitStore` from `handoff-bff/redis`
 * is a ready-made shared one.
 *
 * @example
 * ```ts
 * const store: RateLimitStore = {
 *   async hit(key, windowMs) {
 *     const [[, count], , [, ttl]] = await redis
 *       .multi().incr(key).pexpire(key, windowMs, "NX").pttl(key).exec();
 *     return { count, resetAt: Date.now() + ttl };
 *   },
 * };
 * ```
 */
export interface RateLimitStore {
  /**
   * Counts one request for `key`. When the key has no window running, one of `windowMs`
   * starts now.
   */
  hit(key: string, windowMs: number): RateLimitHit | Promise<RateLimitHit>;
}

/** The `rateLimit` option of `createProxy`. Set at least one of `perIp` and `perSession`. */
export interface RateLimitOptions {
  /**
   * Requests per client address, counted before the token source runs, so that a flood of
   * requests with made-up cookies never reaches the session store. Needs the client's address:
   * see `clientIp`.
   */
  perIp?: RateLimitRule;
  /**
   * Requests per session, keyed by the token source's `sessionKey` when it has one (the
   * built-in sources: the SHA-256 of the session cookie, the same on every instance), else by
   * the SHA-256 of the token it returned; requests without a token are not counted here (they
   * are answered 401 anyway).
   */
  perSession?: RateLimitRule;
  /**
   * Where counts are kept. Keys are prefixed (`ip:`, `session:`), so one store can serve both.
   * @default memoryStore() for each rule (in memory, per process, 10,000 keys at most)
   */
  store?: RateLimitStore;
  /**
   * The client's address for `perIp`, from the request and the socket's peer address (which
   * `toNodeListener` knows and Next.js route handlers do not). Return `null` to exempt a request
   * from `perIp`.
   * @default the peer address; with `trustForwarded`, the rightmost `X-Forwarded-For` entry
   * (the address your reverse proxy saw). Without either, a request is refused with 500
   * `ERR_INVALID_CONFIG`: an address any client can write is no basis for a limit.
   */
  clientIp?: (request: Request, peer: string | undefined) => string | null | undefined;
  /**
   * IPv6 clients are counted per prefix of this many bits, as one host usually holds a whole
   * /64 or more (RFC 6177) and could otherwise rotate through addresses.
   * @default 56 (as express-rate-limit)
   */
  ipv6Subnet?: number;
}
