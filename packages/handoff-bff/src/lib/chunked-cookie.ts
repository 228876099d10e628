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

/**
 * Largest value per cookie: 4,096 bytes per cookie (RFC 6265 §6.1) less room for the name and
 * attributes, as Auth.js's `SessionStore` does (3,936).
 */
const CHUNK_SIZE = 3936;

/**
 * The `Set-Cookie` values that store `value` under `name`, split into `name.0`, `name.1`, …
 * when it outgrows one cookie, and that expire every copy the request carried and the new
 * value does not overwrite (the unchunked name beside chunks, chunks past the new count):
 * a stale chunk left behind would make the next read ambiguous or corrupt.
 */
export function writeChunkedCookie(
  name: string,
  value: string,
  attributes: string,
  maxAgeSeconds: number,
  sent: ReadonlyMap<string, string>,
): string[] {
  const chunks: string[] = [];
  for (let at = 0; at < value.length; at += CHUNK_SIZE) {
    chunks.push(value.slice(at, at + CHUNK_SIZE));
  }
  const written =
    chunks.length <= 1
      ? new Map([[name, value]])
      : new Map(chunks.map((chunk, index) => [`${name}.${index}`, chunk]));
  const headers = [...written].map(
    ([key, chunk]) => `${key}=${chunk}; ${attributes}; Max-Age=${maxAgeSeconds}`,
  );
  for (const old of chunkNames(name, sent)) {
    if (!written.has(old)) headers.push(expiredCookie(old, attributes));
  }
  return headers;
}

/** The `Set-Cookie` values that expire `name` and each of its chunks the request carried. */
export function clearChunkedCookie(
  name: string,
  attributes: string,
  sent: ReadonlyMap<string, string>,
): string[] {
  const names = new Set([name, ...chunkNames(name, sent)]);
  return [...names].map((old) => expiredCookie(old, attributes));
}

function chunkNames(name: string, sent: ReadonlyMap<string, string>): string[] {
  return [...sent.keys()].filter(
    (key) => key === name || (key.startsWith(name) && CHUNK_INDEX.test(key.slice(name.length))),
  );
}

function expiredCookie(name: string, attributes: string): string {
  return `${name}=; ${attributes}; Max-Age=0`;
}
