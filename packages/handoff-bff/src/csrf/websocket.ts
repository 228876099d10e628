import { CrossSiteRequestError, OriginMismatchError } from "../errors.js";
import { type CsrfCheck, type CsrfOptions, normalizeOrigin } from "./check.js";

/**
 * The check of a WebSocket handshake, stricter than {@link CsrfOptions} for HTTP: `Origin` must
 * be present and allowed. Browsers attach cookies to a cross-site WebSocket handshake and no
 * CORS applies to it (cross-site WebSocket hijacking), while they always send `Origin` with one
 * (RFC 6455 §4.1 item 8, §10.2), so its absence is no browser's. `requireHeader` does not apply:
 * a browser's `WebSocket` cannot add headers. `csrf: false` turns this off too.
 */
export function websocketOriginCheck(options: CsrfOptions | false | undefined): CsrfCheck | null {
  if (options === false) return null;
  const allowed = options?.allowedOrigins?.map(normalizeOrigin);
  return (request, ownOrigin) => {
    const site = request.headers.get("sec-fetch-site");
    if (site === "cross-site" || site === "same-site") throw new CrossSiteRequestError(site);
    const origin = request.headers.get("origin");
    const ok = origin !== null && (allowed ? allowed.includes(origin) : origin === ownOrigin);
    if (!ok) throw new OriginMismatchError();
  };
}
