import {
  CrossSiteRequestError,
  CsrfHeaderMissingError,
  InvalidConfigError,
  OriginMismatchError,
} from "../errors.js";
import type { HeaderReader } from "../proxy/incoming.js";

/**
 * Cross-site request forgery defence. On by default: a browser attaches the session cookie to
 * requests that any other site starts (a form post, an `<img>`, a `fetch` with
 * `credentials: "include"`), and the proxy would turn that cookie into a bearer token.
 */
export interface CsrfOptions {
  /**
   * Origins allowed to call the proxy, such as `"https://app.example.com"`.
   * @default [the proxy's own origin: `Host` (or trusted `X-Forwarded-Host`) and scheme]
   */
  allowedOrigins?: readonly string[];
  /**
   * Also require this request header (`"x-csrf"`), as Duende BFF does: a cross-site page
   * cannot add a custom header without a CORS preflight, which the proxy never grants.
   * A string names the header, which must then be `"1"`; an object sets name and value.
   * @default false
   */
  requireHeader?: false | string | { name: string; value: string };
}

/** Checks a request; `origin` is the proxy's own, as the client addressed it. */
/** Only its headers are read: a `Request`, or the proxy's view of one. */
export type CsrfCheck = (request: { readonly headers: HeaderReader }, origin: string) => void;

/**
 * Builds the check that runs after the method and path checks and before the token is read:
 * 1. `Sec-Fetch-Site` (Fetch Metadata) of `cross-site` or `same-site` → 403. `same-site` is
 *    refused too, because a sibling subdomain may be less trusted than this app.
 * 2. `Origin`, when present, must be an allowed origin (`null` never is) → else 403.
 * 3. The custom header, when configured, must be present → else 403.
 * Requests with neither `Origin` nor `Sec-Fetch-Site` (curl, servers) are not browser
 * requests and pass: CSRF needs a browser that attaches cookies on its own.
 *
 * @example
 * ```ts
 * createProxy({ ..., csrf: { allowedOrigins: ["https://app.example.com"] } });
 * ```
 */
export function csrfCheck(options: CsrfOptions | false | undefined): CsrfCheck | null {
  if (options === false) return null;
  const allowed = options?.allowedOrigins?.map(normalizeOrigin);
  const header = headerRequirement(options?.requireHeader);
  return (request, ownOrigin) => {
    const headers = request.headers;
    const site = headers.get("sec-fetch-site");
    if (site === "cross-site" || site === "same-site") throw new CrossSiteRequestError(site);
    const origin = headers.get("origin");
    if (origin !== null) {
      const ok = allowed ? allowed.includes(origin) : origin === ownOrigin;
      if (!ok) throw new OriginMismatchError();
    }
    if (header && headers.get(header.name) !== header.value) {
      throw new CsrfHeaderMissingError(header.name);
    }
  };
}

export function normalizeOrigin(origin: string): string {
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    throw new InvalidConfigError(`csrf.allowedOrigins: ${JSON.stringify(origin)} is not a URL`);
  }
  if (parsed.origin === "null" || parsed.href.replace(/\/$/, "") !== parsed.origin) {
    throw new InvalidConfigError(
      `csrf.allowedOrigins: ${JSON.stringify(origin)} must be an origin such as https://app.example.com`,
    );
  }
  return parsed.origin;
}

function headerRequirement(
  option: CsrfOptions["requireHeader"],
): { name: string; value: string } | null {
  if (option === undefined || option === false) return null;
  if (typeof option === "string") return { name: option.toLowerCase(), value: "1" };
  return { name: option.name.toLowerCase(), value: option.value };
}
