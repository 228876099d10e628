import type { CsrfOptions } from "../csrf/check.js";
import { InvalidConfigError } from "../errors.js";
import type { RateLimitOptions } from "../rate-limit/types.js";
import type { TokenSource } from "../tokens/types.js";
import type { LogEvent, Logger } from "./log.js";
import type { SetCookiePolicy } from "./response-headers.js";
import type { Upstream } from "./target.js";
import type { Transport } from "./transport.js";
import type { WebSocketOptions } from "./websocket-options.js";

/** The methods forwarded by default; TRACE and CONNECT never are (RFC 9110 §9.3.8: XST). */
export const DEFAULT_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/** Options of {@link createProxy}. Only `upstream` and `token` are required. */
export interface ProxyOptions {
  /**
   * The upstream origin, optionally with a base path: `"http://127.0.0.1:8000"`,
   * `"https://api.internal/v1/agent"`. The token is only ever sent here.
   */
  upstream: string;
  /**
   * The incoming path prefix that is stripped: `/api/proxy/tasks?x` → `{upstream}/tasks?x`.
   * @default "" (the whole path is forwarded)
   */
  mount?: string;
  /** Where the bearer token comes from: `cookieToken("auth_token")`, `authjsToken(…)`, or yours. */
  token: TokenSource;
  timeout?: {
    /**
     * ms until the upstream's response headers arrive; then 504 `ERR_UPSTREAM_TIMEOUT`.
     * @default 30_000
     */
    headers?: number;
    /**
     * ms of silence allowed while a response body streams; then the stream is cut and the
     * upstream request aborted. Long-lived SSE endpoints should send a comment as heartbeat.
     * @default 60_000 (nginx's proxy_read_timeout)
     */
    idle?: number;
  };
  /**
   * Largest request body forwarded; larger → 413 `ERR_REQUEST_TOO_LARGE`, by `Content-Length`
   * before the upstream is contacted, or by counting a chunked body (the upstream request is
   * then aborted). Unbounded bodies let one client exhaust the server's memory or bandwidth.
   * @default 10 MiB
   */
  maxRequestBytes?: number;
  /**
   * CSRF defence; `false` turns it off (only for routes no browser reaches).
   * @default { allowedOrigins: [the request's own origin], requireHeader: false }
   */
  csrf?: CsrfOptions | false;
  /**
   * Limits requests per client address (checked before the token source runs) and per session
   * (per token), answering 429 `ERR_RATE_LIMITED` with `Retry-After` and never contacting the
   * upstream. Unlimited requests let one client, or one stolen session, exhaust the token
   * source and the upstream (OWASP API4:2023, unrestricted resource consumption).
   * @default undefined (no limits, and no work per request for them)
   * @example
   * ```ts
   * rateLimit: { perIp: { limit: 600, windowSeconds: 60 }, perSession: { limit: 300, windowSeconds: 60 } }
   * ```
   */
  rateLimit?: RateLimitOptions;
  /**
   * Trust the incoming `X-Forwarded-For/Host/Proto` (set this only behind a reverse proxy
   * that overwrites them). Otherwise they are dropped, as any client can forge them.
   * @default false
   */
  trustForwarded?: boolean;
  /** Upstream `Set-Cookie` handling. @default "drop" (see {@link SetCookiePolicy}) */
  setCookie?: SetCookiePolicy;
  /**
   * Maps a `Location` that points into the upstream (its origin and base path) back under the
   * mount, as nginx's default `proxy_redirect` does; any other `Location` passes unchanged.
   * Why: the upstream's own URL is one the browser cannot reach (and must not, holding no
   * token), and a path of the web app outside the mount is not the upstream's resource. The
   * proxy never follows a redirect, rewritten or not: the token goes to the upstream only.
   * @default true
   */
  rewriteLocation?: boolean;
  /**
   * `Cache-Control` added to an upstream answer that has none; an upstream's own passes as sent,
   * and a 304 gets none (its headers would update the stored response, RFC 9111 §4.3.4).
   * Why: an answer without `Cache-Control` may be stored and reused by any cache, a shared one
   * included (RFC 9111 §3, §4.2.2 heuristic freshness), though it was made with one user's
   * token; `private` keeps shared caches out and `no-store` every cache (RFC 9111 §5.2.2.5,
   * §5.2.2.7). `false` adds nothing.
   * @default "private, no-store"
   */
  defaultCacheControl?: string | false;
  /** The methods forwarded; others → 405. @default GET HEAD POST PUT PATCH DELETE OPTIONS */
  methods?: readonly string[];
  /**
   * Called with the outgoing headers (lower-case names) just before sending, to add, change or
   * delete some. It cannot replace `authorization`, which is set after it.
   * @example
   * ```ts
   * headers: (outgoing) => { outgoing["x-api-key"] = gatewayKey; delete outgoing["user-agent"]; }
   * ```
   */
  headers?: (outgoing: Record<string, string>, request: Request) => void | Promise<void>;
  /** Receives one structured event per request; no token, cookie or query is ever in it. */
  logger?: Logger | ((event: LogEvent) => void);
  /**
   * Relays WebSockets under the mount to the upstream (Node: `toNodeListener(proxy).upgrade`,
   * `createFrontDoor`), with `Authorization: Bearer` and no cookie; `true` for the defaults.
   * The handshake must carry the app's own `Origin` (cross-site WebSocket hijacking).
   * @default false (an upgrade is answered as an ordinary request)
   * @example
   * ```ts
   * websocket: { idleTimeout: 60_000, maxMessageBytes: 1024 * 1024, recheckInterval: 30_000 }
   * ```
   */
  websocket?: WebSocketOptions | boolean;
  /** How upstream requests are sent. @default nodeTransport() on Node, fetchTransport elsewhere */
  transport?: Transport;
}

/** The options after validation, with every default filled in. */
export interface ResolvedOptions {
  upstream: Upstream;
  mount: string;
  token: TokenSource;
  headersTimeout: number;
  idleTimeout: number;
  maxRequestBytes: number;
  trustForwarded: boolean;
  setCookie: SetCookiePolicy;
  rewriteLocation: boolean;
  /** `null` when turned off. */
  defaultCacheControl: string | null;
  methods: ReadonlySet<string>;
  methodList: readonly string[];
}

/** Validates the options once, at creation, so that a bad value fails at start-up, loudly. */
export function resolveOptions(options: ProxyOptions): ResolvedOptions {
  if (typeof options !== "object" || options === null) {
    throw new InvalidConfigError("createProxy: options are required");
  }
  if (typeof options.token !== "function") {
    throw new InvalidConfigError("createProxy: `token` must be a function (a TokenSource)");
  }
  if (options.token.sessionKey !== undefined && typeof options.token.sessionKey !== "function") {
    throw new InvalidConfigError("createProxy: `token.sessionKey` must be a function");
  }
  const methodList = (options.methods ?? DEFAULT_METHODS).map((method) => method.toUpperCase());
  for (const method of methodList) {
    if (method === "TRACE" || method === "CONNECT") {
      throw new InvalidConfigError(`createProxy: ${method} cannot be forwarded`);
    }
  }
  return {
    upstream: parseUpstream(options.upstream),
    mount: parseMount(options.mount ?? ""),
    token: options.token,
    headersTimeout: positive("timeout.headers", options.timeout?.headers ?? 30_000),
    idleTimeout: positive("timeout.idle", options.timeout?.idle ?? 60_000),
    maxRequestBytes: positive("maxRequestBytes", options.maxRequestBytes ?? 10 * 1024 * 1024),
    trustForwarded: options.trustForwarded ?? false,
    setCookie: options.setCookie ?? "drop",
    rewriteLocation: options.rewriteLocation ?? true,
    defaultCacheControl: parseCacheControl(options.defaultCacheControl),
    methods: new Set(methodList),
    methodList,
  };
}

function parseUpstream(upstream: unknown): Upstream {
  if (typeof upstream !== "string") {
    throw new InvalidConfigError("createProxy: `upstream` must be a URL string");
  }
  let url: URL;
  try {
    url = new URL(upstream);
  } catch {
    throw new InvalidConfigError(`createProxy: upstream ${JSON.stringify(upstream)} is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InvalidConfigError("createProxy: upstream must be an http: or https: URL");
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new InvalidConfigError(
      "createProxy: upstream must be an origin with an optional base path (no credentials, query or fragment)",
    );
  }
  return { origin: url.origin, basePath: url.pathname.replace(/\/+$/, "") };
}

function parseMount(mount: string): string {
  if (mount === "" || mount === "/") return "";
  if (!mount.startsWith("/") || mount.includes("?") || mount.includes("#")) {
    throw new InvalidConfigError(`createProxy: mount ${JSON.stringify(mount)} must be a path`);
  }
  return mount.replace(/\/+$/, "");
}

/** Header field value characters (RFC 9110 §5.5), without leading or trailing whitespace. */
const FIELD_VALUE = /^[!-~\u0080-\u00ff](?:[ \t!-~\u0080-\u00ff]*[!-~\u0080-\u00ff])?$/;

function parseCacheControl(value: string | false | undefined): string | null {
  if (value === false) return null;
  if (value === undefined) return "private, no-store";
  if (typeof value !== "string" || !FIELD_VALUE.test(value)) {
    throw new InvalidConfigError(
      'createProxy: defaultCacheControl must be a header value such as "private, no-store", or false',
    );
  }
  return value;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new InvalidConfigError(`createProxy: ${name} must be a positive number`);
  }
  return value;
}
