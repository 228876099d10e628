import { AmbiguousSessionCookieError } from "../errors.js";

/**
 * Parses a `Cookie` request header (RFC 6265 §5.4) into a map. The first value of a repeated
 * name is kept, and the name is added to `repeated` when given: a session cookie must not be
 * read from a header that repeats it (see `readCookie`). Values are returned as sent, without
 * percent-decoding: session tokens are opaque.
 */
export function parseCookieHeader(
  header: string | null,
  repeated?: Set<string>,
): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const pair of header.split(";")) {
    const eq = pair.indexOf("=");
    if (eq === -1) continue;
    const name = pair.slice(0, eq).trim();
    if (name === "") continue;
    if (cookies.has(name)) {
      repeated?.add(name);
      continue;
    }
    let value = pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      value = value.slice(1, -1);
    }
    cookies.set(name, value);
  }
  return cookies;
}

/**
 * Reads one session cookie from a request, or `null`, scanning for `name=` at pair boundaries
 * instead of building a map (it runs every request).
 *
 * Throws `AmbiguousSessionCookieError` (401) when the name comes twice. A sibling subdomain
 * can set a cookie of the same name with `Domain=` and a longer `Path=`, which browsers send
 * first (RFC 6265 §5.4 step 2, §8.6 on weak integrity): whichever one a reader picked, the
 * attacker could decide whose session the request runs in.
 */
export function readCookie(request: Request, name: string): string | null {
  return cookieIn(request.headers.get("cookie"), name);
}

/** {@link readCookie} over the `Cookie` header's value. */
export function cookieIn(header: string | null, name: string): string | null {
  if (!header) return null;
  let found: string | null = null;
  let from = 0;
  while (from < header.length) {
    let end = header.indexOf(";", from);
    if (end === -1) end = header.length;
    const eq = header.indexOf("=", from);
    if (eq !== -1 && eq < end && header.slice(from, eq).trim() === name) {
      if (found !== null) throw new AmbiguousSessionCookieError();
      let value = header.slice(eq + 1, end).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
        value = value.slice(1, -1);
      }
      found = value;
    }
    from = end + 1;
  }
  return found;
}
