import { AmbiguousSessionCookieError } from "../errors.js";

/** A chunk's name: the cookie's, a dot, an index. */
const CHUNK_INDEX = /^\.\d+$/;

/**
 * Reads a cookie that may have been split into chunks `name.0`, `name.1`, …, as Auth.js does
 * when a session outgrows one cookie (`SessionStore` in @auth/core lib/utils/cookie.js: chunks
 * of 3,936 characters, reassembled by index, whatever order the browser sends them in).
 *
 * Chunks are read from `name.0` up to the first missing index; a gap leaves a truncated value
 * that fails to decrypt, as Auth.js's own join would. Returns `null` when neither form is
 * present or the value is empty.
 *
 * Throws `AmbiguousSessionCookieError` (401) when the session comes in more than one copy: a
 * name or chunk repeated (`repeated`, from `parseCookieHeader`), or the unchunked `name` beside
 * `name.0`. Auth.js expires every old chunk whenever it rewrites the session, so a second copy
 * is one a sibling subdomain tossed in (RFC 6265 §8.6), and picking either would let it choose
 * whose session the request runs in.
 */
export function readChunkedCookie(
  cookies: ReadonlyMap<string, string>,
  name: string,
  repeated: ReadonlySet<string>,
): string | null {
  for (const copy of repeated) {
    if (copy === name || (copy.startsWith(name) && CHUNK_INDEX.test(copy.slice(name.length)))) {
      throw new AmbiguousSessionCookieError();
    }
  }
  const whole = cookies.get(name);
  if (whole !== undefined && cookies.has(`${name}.0`)) throw new AmbiguousSessionCookieError();
  if (whole !== undefined && whole !== "") return whole;
  let value = "";
  for (let index = 0; ; index++) {
    const chunk = cookies.get(`${name}.${index}`);
    if (chunk === undefined || chunk === "") break;
    value += chunk;
  }
  return value === "" ? null : value;
}
