import {
  createRemoteJWKSet,
  customFetch,
  type FetchImplementation,
  type JWTVerifyGetKey,
} from "jose";
import { AuthUnavailableError, errorCode } from "../errors.js";

/** How the issuer's public keys are fetched and cached. */
export interface KeySetOptions {
  /**
   * After a successful fetch, how long a token with an unknown `kid` is refused without
   * fetching again. This is the rate limit: forged `kid`s cannot make us fetch more than once per
   * cooldown (concurrent misses share one fetch). It is also the longest a key the issuer just
   * started signing with can be refused, so it is kept short; one small GET every 10 s is no load.
   * @default 10_000 (jose's own default is 30 s)
   */
  cooldownMs?: number;
  /**
   * How long fetched keys are trusted before the set is fetched again: the delay before a key
   * the issuer withdrew (say, after a compromise) stops being accepted.
   * @default 600_000 (10 min, jose's default; shorter than Better Auth's 15-min tokens)
   */
  cacheMaxAgeMs?: number;
  /**
   * Timeout of one fetch. A request waiting for keys waits this long at most; the issuer is
   * apps/web on the same network, so a JWKS that takes seconds is down, not slow.
   * @default 3_000
   */
  timeoutMs?: number;
  /**
   * After a failed fetch, how long requests needing a fetch fail fast (503) instead of each
   * waiting for a dead endpoint; also the `Retry-After` they carry. Keys already cached keep
   * working meanwhile.
   * @default 5_000
   */
  failureBackoffMs?: number;
}

/**
 * Lookup failures caused by the token (its `kid` or `alg` names no key we have), not by the key
 * set: they mean "invalid token". Every other failure means the keys could not be had.
 */
const TOKEN_FAULTS = new Set([
  "ERR_JWKS_NO_MATCHING_KEY",
  "ERR_JWKS_MULTIPLE_MATCHING_KEYS",
  "ERR_JOSE_NOT_SUPPORTED",
]);

/**
 * A jose key resolver for the JWKS at `url`, cached, re-fetched on an unknown `kid` at most once
 * per cooldown, that turns an unreachable, failing or malformed key set into
 * `ERR_AUTH_UNAVAILABLE` (503) and backs off after a failure.
 *
 * @example
 * ```ts
 * const keys = createKeySet(new URL("https://web.example/api/auth/jwks"));
 * await jwtVerify(token, keys, { algorithms: ["EdDSA"] });
 * ```
 */
export function createKeySet(url: URL, options: KeySetOptions = {}): JWTVerifyGetKey {
  const backoffMs = options.failureBackoffMs ?? 5_000;
  let retryAt = 0;

  const guardedFetch: FetchImplementation = (resource, init) => {
    const wait = retryAt - Date.now();
    if (wait > 0) return Promise.reject(new Error(`JWKS fetch backing off for ${wait} ms`));
    return fetch(resource, init);
  };

  const remote = createRemoteJWKSet(url, {
    cooldownDuration: options.cooldownMs ?? 10_000,
    cacheMaxAge: options.cacheMaxAgeMs ?? 600_000,
    timeoutDuration: options.timeoutMs ?? 3_000,
    [customFetch]: guardedFetch,
  });

  return async (protectedHeader, token) => {
    try {
      return await remote(protectedHeader, token);
    } catch (error) {
      if (TOKEN_FAULTS.has(errorCode(error) ?? "")) throw error;
      const now = Date.now();
      if (retryAt <= now) retryAt = now + backoffMs;
      throw new AuthUnavailableError((retryAt - now) / 1000, error);
    }
  };
}
