/**
 * Parses a `Cookie` request header (RFC 6265 §5.4) into a map. The first value of a repeated
 * name wins, as browsers send the most specific cookie first (§5.4 step 2). Values are
 * returned as sent, without percent-decoding: session tokens are opaque.
 */
export function parseCookieHeader(header: string | null): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const pair of header.split(";")) {
    const eq = pair.indexOf("=");
    if (eq === -1) continue;
    const name = pair.slice(0, eq).trim();
    if (name === "" || cookies.has(name)) continue;
    let value = pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      value = value.slice(1, -1);
    }
    cookies.set(name, value);
  }
  return cookies;
}

/**
 * Reads one cookie from a request, or `null`: the same answer as `parseCookieHeader`, found by
 * scanning for `name=` at pair boundaries instead of building a map (it runs every request).
 */
export function readCookie(request: Request, name: string): string | null {
  const header = request.headers.get("cookie");
  if (!header) return null;
  let from = 0;
  while (from < header.length) {
    let end = header.indexOf(";", from);
    if (end === -1) end = header.length;
    const eq = header.indexOf("=", from);
    if (eq !== -1 && eq < end && header.slice(from, eq).trim() === name) {
      let value = header.slice(eq + 1, end).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
        value = value.slice(1, -1);
      }
      return value;
    }
    from = end + 1;
  }
  return null;
}
