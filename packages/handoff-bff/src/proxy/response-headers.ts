import { connectionListedIn, HOP_BY_HOP } from "../lib/hop-by-hop.js";
import type { Upstream } from "./target.js";

/**
 * What to do with upstream `Set-Cookie` headers.
 * - `"drop"` (default): removed. The upstream lives on another origin; a cookie it sets would
 *   land on the web app's origin, where it could overwrite or shadow the session cookie
 *   (cookie tossing) or plant one for session fixation.
 * - `"pass"`: forwarded unchanged; for an upstream you control that must set cookies.
 * - a function: called per cookie; return the (possibly rewritten) value, or `null` to drop.
 */
export type SetCookiePolicy = "drop" | "pass" | ((cookie: string) => string | null);

export interface ResponseHeaderContext {
  upstream: Upstream;
  /** The proxy's own mount path, for rewriting `Location`. */
  mount: string;
  setCookie: SetCookiePolicy;
  rewriteLocation: boolean;
  /** Added when the upstream sent no `Cache-Control`; `null` adds nothing. */
  cacheControl: string | null;
  requestId: string;
  /** The token source's own cookies (a refreshed session), added after `setCookie` filtered. */
  sourceCookies: readonly string[];
}

/**
 * Replaces the upstream's caching policy on a response that carries the token source's
 * cookies: `Set-Cookie` does not keep a shared cache from storing a response (RFC 9111 §7.3),
 * which would then hand one user's session to the next.
 */
const WITH_SESSION_COOKIE = "private, no-store";

/**
 * Builds the response headers for the client from the upstream's: end-to-end headers as they
 * came (Location, ETag, Cache-Control, Vary, Content-Disposition, WWW-Authenticate,
 * Retry-After, Content-Encoding, Content-Length…), less hop-by-hop ones (RFC 9110 §7.6.1),
 * plus `context.cacheControl` when the upstream said nothing about caching (RFC 9111 §3), and the
 * token source's own cookies.
 */
export function clientResponseHeaders(
  upstreamHeaders: ReadonlyArray<[string, string]>,
  context: ResponseHeaderContext,
): Array<[string, string]> {
  const listed = connectionListedIn(upstreamHeaders);
  // Pairs, not a Headers object: `new Response` copies its init into Headers of its own, so
  // building one here would validate and sort every header twice.
  const out: Array<[string, string]> = [];
  let hasRequestId = false;
  let hasCacheControl = false;
  for (const [name, value] of upstreamHeaders) {
    if (HOP_BY_HOP.has(name) || listed?.has(name)) continue;
    if (name === "set-cookie") {
      if (context.setCookie === "drop") continue;
      const kept = context.setCookie === "pass" ? value : context.setCookie(value);
      if (kept !== null) out.push([name, kept]);
      continue;
    }
    if (name === "location" && context.rewriteLocation) {
      out.push([name, rewriteLocation(value, context)]);
      continue;
    }
    if (name === "x-request-id") hasRequestId = true;
    else if (name === "cache-control") {
      hasCacheControl = true;
      if (context.sourceCookies.length > 0) continue;
    }
    out.push([name, value]);
  }
  if (!hasRequestId) out.push(["x-request-id", context.requestId]);
  if (context.sourceCookies.length > 0) {
    out.push(["cache-control", WITH_SESSION_COOKIE]);
    for (const cookie of context.sourceCookies) out.push(["set-cookie", cookie]);
  } else if (!hasCacheControl && context.cacheControl !== null) {
    out.push(["cache-control", context.cacheControl]);
  }
  return out;
}

/** Resolves a path-absolute reference: where it lands tells whether it left the site. */
const SAME_SITE_BASE = "http://same-site.invalid";

/**
 * Maps a redirect that points into the upstream back under the mount, as nginx's default
 * `proxy_redirect` does: `http://api:8000/v1/tasks/7` and `/v1/tasks/7` (with base path
 * `/v1`) both become `/api/proxy/tasks/7`. Anything else (another host, a path outside the
 * base) is handed to the browser unchanged; the proxy never follows a redirect itself.
 *
 * Stripping the base path must not turn a path into another site's URL: with mount `""`,
 * `/v1//evil.example` would become `//evil.example`, a network-path reference (RFC 3986 §4.2)
 * that browsers resolve to another host, as they do `/\evil.example` and `/<TAB>/evil.example`
 * (WHATWG URL). Such a Location is passed unchanged instead: as sent, it stays on a site it
 * named.
 */
function rewriteLocation(location: string, context: ResponseHeaderContext): string {
  const { origin, basePath } = context.upstream;
  let path: string;
  if (location.startsWith(origin) && /^(?:[/?#]|$)/.test(location.slice(origin.length))) {
    path = location.slice(origin.length);
  } else if (location.startsWith("/") && !location.startsWith("//")) {
    path = location;
  } else {
    return location;
  }
  if (basePath !== "") {
    if (!path.startsWith(basePath) || !/^(?:[/?#]|$)/.test(path.slice(basePath.length))) {
      return location;
    }
    path = path.slice(basePath.length);
  }
  const mapped = context.mount + path;
  const rewritten = mapped.startsWith("/") ? mapped : `/${mapped}`;
  return staysOnSite(rewritten) ? rewritten : location;
}

function staysOnSite(reference: string): boolean {
  try {
    return new URL(reference, SAME_SITE_BASE).origin === SAME_SITE_BASE;
  } catch {
    return false; // `//[…` and the like: not a path of this site either
  }
}
