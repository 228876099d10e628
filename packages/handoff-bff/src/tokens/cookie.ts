import { InvalidConfigError } from "../errors.js";
import { cookieIn, readCookie } from "../lib/cookies.js";
import { sha256Base64url } from "../lib/sha256.js";
import { type HeaderTokenReader, READS_HEADERS } from "../proxy/incoming.js";
import type { TokenSource } from "./types.js";

/** RFC 6265 §4.1.1: a cookie name is an RFC 7230 token. */
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Uses the value of one cookie as the bearer token, as is: for apps whose session cookie
 * already holds the backend's token (a JWT set httpOnly at sign-in).
 *
 * A cookie of that name sent twice throws `AmbiguousSessionCookieError` (401
 * `ERR_AMBIGUOUS_SESSION_COOKIE`): a sibling subdomain can set a second one that browsers send
 * first, and whichever copy were read, the attacker could choose the account (RFC 6265 §8.6).
 *
 * Its `sessionKey` is the SHA-256 of the cookie (so `rateLimit.perSession` counts exactly as
 * with the token's hash).
 *
 * @param name The cookie's name, such as `auth_token` or `__Host-auth_token`.
 * @example
 * ```ts
 * const proxy = createProxy({ upstream, mount: "/api/proxy", token: cookieToken("auth_token") });
 * ```
 */
export function cookieToken(name: string): TokenSource {
  if (!COOKIE_NAME.test(name)) {
    throw new InvalidConfigError(`cookieToken: ${JSON.stringify(name)} is not a valid cookie name`);
  }
  const source: TokenSource = (request) => {
    const value = readCookie(request, name);
    return value === null || value === "" ? null : value;
  };
  // The same reading from the headers alone, so the proxy need not build a `Request` for it.
  const fromHeaders: HeaderTokenReader = (headers) => {
    const value = cookieIn(headers.get("cookie"), name);
    return value === null || value === "" ? null : value;
  };
  Object.defineProperty(source, READS_HEADERS, { value: fromHeaders });
  source.sessionKey = (request) => {
    const value = readCookie(request, name);
    return value === null || value === "" ? null : sha256Base64url(value);
  };
  return source;
}
