import type { CsrfOptions } from "../csrf/check.js";
import { InvalidConfigError } from "../errors.js";
import type { RevocationStore } from "../revocation/types.js";
import type { OidcSessionStore, RefreshLock } from "./types.js";

/** Options of {@link createOidc}. */
export interface OidcOptions {
  /** The provider's issuer identifier; its metadata is read from `/.well-known/openid-configuration`. */
  issuer: string;
  clientId: string;
  /** The client secret of a confidential client; without one the client is public (PKCE only). */
  clientSecret?: string;
  /**
   * How the client authenticates at the token endpoint, with `clientSecret`.
   * @default "client_secret_basic"
   */
  clientAuthentication?: "client_secret_basic" | "client_secret_post";
  /** The callback route's absolute URL, as registered: `https://app.example.com/auth/callback`. */
  redirectUri: string;
  /**
   * Scopes asked for. `offline_access` asks for a refresh token (some providers also need
   * `authorizationParams: { prompt: "consent" }`, see docs/oidc.md).
   * @default ["openid", "profile", "email", "offline_access"]
   */
  scopes?: readonly string[];
  /** Extra authorization request parameters, such as `{ audience: "https://api" }` (Auth0). */
  authorizationParams?: Readonly<Record<string, string>>;
  /** Where the provider sends the browser after logout (registered with it). */
  postLogoutRedirectUri?: string;
  /**
   * The app's public origin, `https://app.example.com`: `returnTo` must stay on it, cookies are
   * `Secure` and `__Host-` prefixed when it is https, and logout's CSRF check compares `Origin`
   * with it.
   */
  appOrigin: string;
  session: {
    /**
     * At least 32 characters of randomness; sealed cookies are encrypted with a key derived from
     * it (HKDF). An array rotates secrets: the first seals, all open.
     */
    secret: string | readonly string[];
    /**
     * `"cookie"`: the whole session (tokens included) sealed in the cookie, chunked past 4 KB.
     * A store (`redisSessionStore(…)`): the session on the server, a random id in the cookie.
     * @default "cookie"
     */
    mode?: "cookie" | OidcSessionStore;
    /**
     * @default "__Host-handoff.session" on https, "handoff.session" on http
     */
    cookieName?: string;
    /**
     * Absolute lifetime of a session, from sign-in; the refresh token may end it earlier.
     * @default 604_800 (7 days)
     */
    maxAgeSeconds?: number;
  };
  refresh?: {
    /**
     * An access token is refreshed when it expires within this many seconds, so the upstream
     * never receives one that expires in flight.
     * @default 60
     */
    skewSeconds?: number;
    /** One refresh per session across instances (server-side sessions only): `redisRefreshLock`. */
    lock?: RefreshLock;
    /**
     * Milliseconds a request waits for another instance's refresh before 503 `ERR_STORE_UNAVAILABLE`.
     * @default 10_000
     */
    waitMs?: number;
  };
  /**
   * Where ended sessions are announced (back-channel logout, sign-out), by `sid:<sid>`,
   * `sub:<sub>` and `session:<key>`: `redisRevocation(…)` reaches every instance.
   * @default memoryRevocation() (this process only)
   */
  revocation?: RevocationStore;
  /** The CSRF check of the logout route. @default { allowedOrigins: [appOrigin] } */
  csrf?: CsrfOptions;
  /**
   * Allow an `http:` issuer on a loopback address (127.0.0.1, ::1, localhost), for development
   * and tests. Any other `http:` issuer is refused: tokens would cross the network in clear
   * (RFC 6749 §3.1, §10.9).
   * @default false
   */
  allowInsecureRequests?: boolean;
  /**
   * Path the browser lands on after sign-in without a `returnTo`.
   * @default "/"
   */
  defaultReturnTo?: string;
}

export interface ResolvedOidcOptions {
  issuer: URL;
  redirectUri: URL;
  appOrigin: string;
  secure: boolean;
  secrets: readonly string[];
  store: OidcSessionStore | null;
  cookieName: string;
  transactionCookie: string;
  maxAgeSeconds: number;
  skewMs: number;
  waitMs: number;
  scope: string;
}

const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const LOOPBACK = new Set(["127.0.0.1", "[::1]", "localhost"]);

export function resolveOidcOptions(options: OidcOptions): ResolvedOidcOptions {
  if (typeof options !== "object" || options === null) {
    throw new InvalidConfigError("createOidc: options are required");
  }
  for (const name of ["issuer", "clientId", "redirectUri", "appOrigin"] as const) {
    if (typeof options[name] !== "string" || options[name] === "") {
      throw new InvalidConfigError(`createOidc: ${name} must be a non-empty string`);
    }
  }
  const issuer = url("issuer", options.issuer);
  if (issuer.protocol === "http:") {
    if (options.allowInsecureRequests !== true || !LOOPBACK.has(issuer.hostname)) {
      throw new InvalidConfigError(
        "createOidc: the issuer must be https (http is allowed for a loopback issuer with allowInsecureRequests: true)",
      );
    }
  }
  const app = url("appOrigin", options.appOrigin);
  if (app.origin !== options.appOrigin.replace(/\/$/, "")) {
    throw new InvalidConfigError(
      "createOidc: appOrigin must be an origin such as https://app.example.com",
    );
  }
  const redirectUri = url("redirectUri", options.redirectUri);
  const secure = app.protocol === "https:";
  const session = options.session;
  const secrets = Array.isArray(session?.secret) ? session.secret : [session?.secret];
  if (secrets.length === 0 || secrets.some((s) => typeof s !== "string" || s.length < 32)) {
    // The message never echoes the value: it is a secret.
    throw new InvalidConfigError("createOidc: session.secret must be at least 32 characters");
  }
  const mode = session.mode ?? "cookie";
  if (mode !== "cookie" && (typeof mode?.get !== "function" || typeof mode.set !== "function")) {
    throw new InvalidConfigError('createOidc: session.mode must be "cookie" or a session store');
  }
  const cookieName = session.cookieName ?? (secure ? "__Host-handoff.session" : "handoff.session");
  if (!COOKIE_NAME.test(cookieName)) {
    throw new InvalidConfigError(`createOidc: ${JSON.stringify(cookieName)} is not a cookie name`);
  }
  if (cookieName.startsWith("__Host-") && !secure) {
    throw new InvalidConfigError("createOidc: a __Host- cookie needs an https appOrigin");
  }
  if (options.refresh?.lock !== undefined && mode === "cookie") {
    throw new InvalidConfigError(
      "createOidc: refresh.lock needs server-side sessions (session.mode: a store)",
    );
  }
  return {
    issuer,
    redirectUri,
    appOrigin: app.origin,
    secure,
    secrets: secrets as string[],
    store: mode === "cookie" ? null : mode,
    cookieName,
    transactionCookie: secure ? "__Host-handoff.tx" : "handoff.tx",
    maxAgeSeconds: positive("session.maxAgeSeconds", session.maxAgeSeconds ?? 604_800),
    skewMs: nonNegative("refresh.skewSeconds", options.refresh?.skewSeconds ?? 60) * 1000,
    waitMs: positive("refresh.waitMs", options.refresh?.waitMs ?? 10_000),
    scope: (options.scopes ?? ["openid", "profile", "email", "offline_access"]).join(" "),
  };
}

function url(name: string, value: string): URL {
  try {
    const parsed = new URL(value);
    if (parsed.protocol === "https:" || parsed.protocol === "http:") return parsed;
  } catch {
    // refused below
  }
  throw new InvalidConfigError(`createOidc: ${name} must be an http(s) URL`);
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new InvalidConfigError(`createOidc: ${name} must be a positive number`);
  }
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new InvalidConfigError(`createOidc: ${name} must be a number ≥ 0`);
  }
  return value;
}
