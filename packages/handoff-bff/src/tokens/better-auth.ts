import { decodeJwt } from "jose";
import { InvalidConfigError, RevocationUnavailableError } from "../errors.js";
import { readCookie } from "../lib/cookies.js";
import { sha256Base64url } from "../lib/sha256.js";
import type { RevocationStore } from "../revocation/types.js";
import type { TokenSource } from "./types.js";

/**
 * The part of a Better Auth instance that {@link betterAuthToken} uses: the JWT plugin's
 * `getToken` endpoint and the instance's `$context` (for the session cookie's name). Typed by
 * shape, so `handoff-bff` does not depend on `better-auth`; a `betterAuth({ plugins: [jwt()] })`
 * instance fits, one without the JWT plugin does not compile.
 */
export interface BetterAuthLike {
  api: {
    getToken(context: { headers: Headers }): Promise<{ token: string }>;
  };
  $context?: PromiseLike<{ authCookies: { sessionToken: { name: string } } }>;
  /** The instance's options, read to check that Better Auth does not hand the JWT out itself. */
  options?: {
    disabledPaths?: readonly string[] | undefined;
    plugins?: readonly { id: string; options?: unknown }[] | undefined;
  };
}

/** Options of {@link betterAuthToken}. */
export interface BetterAuthTokenOptions {
  /**
   * A cached JWT is replaced once fewer than this many seconds remain before its `exp`, so the
   * upstream never receives a token that expires in flight.
   * @default 60
   */
  refreshBeforeSeconds?: number;
  /**
   * The longest a JWT is served from the cache. A session revoked elsewhere (another device, an
   * admin) keeps working through the proxy until its cached JWT is replaced; this bounds that
   * window below the JWT's lifetime.
   * @default undefined (until `refreshBeforeSeconds` before the JWT's `exp`)
   */
  maxCacheSeconds?: number;
  /**
   * Most sessions cached; the least recently used is dropped beyond it.
   * @default 10_000
   */
  maxEntries?: number;
  /**
   * Allow a Better Auth set-up that serves the JWT to the browser itself. Left `false`,
   * `betterAuthToken` refuses an instance that does: with the JWT plugin's defaults, any script
   * of the page can read the JWT from `GET /api/auth/token` or from the `set-auth-jwt` header of
   * `get-session`, which undoes what the proxy is for (a token no XSS can take away).
   * @default false (require `disabledPaths: ["/token"]` and `jwt({ disableSettingJwtHeader: true })`)
   */
  allowBrowserJwt?: boolean;
  /**
   * The session cookie's name.
   * @default the instance's own (`auth.$context` → `authCookies.sessionToken.name`)
   */
  cookieName?: string;
  /**
   * Where sessions revoked with `revoke()` are announced, so that their cached JWT is dropped
   * at once: `redisRevocation(…)` from `handoff-bff/redis` reaches every instance. With one,
   * a session is also checked with `isRevoked` before a JWT is fetched for it, and while the
   * store says it is not live (its subscription is down) no cached JWT is served: requests are
   * answered 503 `ERR_REVOCATION_UNAVAILABLE` instead (fail closed).
   * @default undefined (`revoke()` drops the session from this instance's cache only)
   */
  revocation?: RevocationStore;
}

/** The token source {@link betterAuthToken} returns. */
export interface BetterAuthTokenSource extends TokenSource {
  (request: Request): Promise<string | null>;
  /** The base64url SHA-256 of the request's session cookie, or `null` without one. */
  sessionKey(request: Request): Promise<string | null>;
  /**
   * Drops a session's cached JWT on this instance at once and, through the `revocation`
   * store, on every instance that shares it; resolves once announced. Pass the request of the
   * session (as on sign-out, before its cookie is cleared) or its session key. Call it beside
   * Better Auth's own sign-out or session revocation, which ends the session itself.
   * @example
   * ```ts
   * // app/api/sign-out/route.ts
   * export async function POST(request: Request) {
   *   await token.revoke(request);
   *   return auth.handler(request);
   * }
   * ```
   */
  revoke(session: Request | string): Promise<void>;
}

interface Entry {
  token: string;
  /** Epoch ms from which the entry is no longer served. */
  staleAt: number;
}

/** RFC 6265 §4.1.1: a cookie name is an RFC 7230 token. */
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * A {@link TokenSource}: the JWT of the current Better Auth session, from the JWT plugin
 * (`jwt()` from `better-auth/plugins`), for apps whose API verifies Better Auth's JWTs against
 * its JWKS.
 *
 * A JWT is fetched with `auth.api.getToken` (a session lookup and a signature) once per
 * session, then served from memory until `refreshBeforeSeconds` before its `exp`: a cache hit
 * calls nothing in Better Auth. Sessions are keyed by the SHA-256 of the session cookie, never
 * the cookie itself; concurrent misses of one session share one fetch; the cache holds at most
 * `maxEntries` sessions. The JWT stays on the server: the proxy sends it upstream only, and an
 * instance whose own routes would hand it to the browser is refused (see `allowBrowserJwt`).
 *
 * Resolves to `null` (401) without a session cookie or when Better Auth finds no session for
 * it; rejects with `AmbiguousSessionCookieError` (401 `ERR_AMBIGUOUS_SESSION_COOKIE`), calling
 * nothing in Better Auth, when the session cookie comes twice; rejects (500 `ERR_TOKEN_SOURCE`)
 * when Better Auth fails otherwise. A session revoked
 * elsewhere is served until its cached JWT is replaced (see `maxCacheSeconds`), unless it is
 * revoked with `revoke()`, which reaches every instance through the `revocation` store.
 *
 * @throws InvalidConfigError (`ERR_INVALID_CONFIG`) when the options are unusable.
 * @example
 * ```ts
 * import { betterAuth } from "better-auth";
 * import { jwt } from "better-auth/plugins";
 *
 * export const auth = betterAuth({
 *   emailAndPassword: { enabled: true },
 *   disabledPaths: ["/token"], // the JWT is for the API, not for the browser
 *   plugins: [jwt({ disableSettingJwtHeader: true, jwt: { audience: "https://api.example.com" } })],
 * });
 * export const proxy = createProxy({
 *   upstream: "http://127.0.0.1:8000",
 *   mount: "/api/proxy",
 *   token: betterAuthToken(auth),
 * });
 * ```
 */
export function betterAuthToken(
  auth: BetterAuthLike,
  options: BetterAuthTokenOptions = {},
): BetterAuthTokenSource {
  if (typeof auth?.api?.getToken !== "function") {
    throw new InvalidConfigError(
      "betterAuthToken: auth.api.getToken is missing; add the JWT plugin (jwt() from better-auth/plugins)",
    );
  }
  const refreshBeforeMs = seconds("refreshBeforeSeconds", options.refreshBeforeSeconds ?? 60, 0);
  const maxCacheMs =
    options.maxCacheSeconds === undefined
      ? Number.POSITIVE_INFINITY
      : seconds("maxCacheSeconds", options.maxCacheSeconds, 1);
  const maxEntries = options.maxEntries ?? 10_000;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new InvalidConfigError("betterAuthToken: maxEntries must be a positive integer");
  }
  let cookieName = options.cookieName;
  if (cookieName !== undefined && !COOKIE_NAME.test(cookieName)) {
    throw new InvalidConfigError(
      `betterAuthToken: ${JSON.stringify(cookieName)} is not a valid cookie name`,
    );
  }
  if (options.allowBrowserJwt !== true) refuseBrowserJwt(auth.options);
  const revocation = options.revocation;
  if (revocation !== undefined) {
    if (typeof revocation?.revoke !== "function" || typeof revocation.subscribe !== "function") {
      throw new InvalidConfigError(
        "betterAuthToken: revocation must have revoke() and subscribe() methods",
      );
    }
  }
  const context = auth.$context;
  if (cookieName === undefined && context === undefined) {
    throw new InvalidConfigError("betterAuthToken: pass cookieName, or a Better Auth instance");
  }

  // Map order is recency order: a hit moves its entry to the end, eviction takes the first.
  const cache = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<string | null>>();
  // Bumped by every revocation: a fetch that started before one does not fill the cache, as
  // the token it got may be the revoked session's.
  let generation = 0;
  const forget = (key: string) => {
    generation += 1;
    cache.delete(key);
    inFlight.delete(key);
  };
  revocation?.subscribe({
    onRevoked: forget,
    onResync() {
      generation += 1;
      cache.clear();
      inFlight.clear();
    },
  });

  async function fetchToken(name: string, value: string, key: string): Promise<string | null> {
    const started = generation;
    if (revocation?.isRevoked !== undefined) {
      let revoked: boolean;
      try {
        revoked = await revocation.isRevoked(key);
      } catch (error) {
        throw error instanceof RevocationUnavailableError
          ? error
          : new RevocationUnavailableError(error);
      }
      if (revoked) return null;
    }
    let token: unknown;
    try {
      // Only the cookie that keys the cache, so the session looked up is by construction the
      // one keyed. (A second cookie of the same name, tossed in by a sibling subdomain, is
      // refused before this; Better Auth's two parsers would disagree on it: better-call's
      // keeps the first, better-auth/cookies' the last.)
      ({ token } = await auth.api.getToken({
        headers: new Headers({ cookie: `${name}=${value}` }),
      }));
    } catch (error) {
      if (isUnauthorized(error)) return null;
      // The cause (possibly a database error quoting values) is kept for debugging but never
      // logged or answered by the proxy (ERR_TOKEN_SOURCE).
      throw new Error("betterAuthToken: Better Auth could not issue a token", { cause: error });
    }
    if (typeof token !== "string" || token === "") {
      throw new Error("betterAuthToken: Better Auth's getToken returned no token");
    }
    const now = Date.now();
    const staleAt = Math.min(expiresAt(token) - refreshBeforeMs, now + maxCacheMs);
    if (staleAt > now && started === generation) {
      if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
      cache.set(key, { token, staleAt });
    }
    return token;
  }

  /** The session cookie's name and value; throws AmbiguousSessionCookieError when it comes twice. */
  async function sessionCookie(request: Request): Promise<{ name: string; value: string } | null> {
    cookieName ??= (await (context as NonNullable<typeof context>)).authCookies.sessionToken.name;
    const value = readCookie(request, cookieName);
    return value === null || value === "" ? null : { name: cookieName, value };
  }

  const source = async (request: Request): Promise<string | null> => {
    const cookie = await sessionCookie(request);
    if (cookie === null) return null;
    // Fail closed: with the subscription down, a revocation made elsewhere would go unheard.
    if (revocation?.isLive?.() === false) throw new RevocationUnavailableError();
    const { name, value } = cookie;
    const key = await sha256Base64url(value);
    const entry = cache.get(key);
    if (entry !== undefined) {
      cache.delete(key);
      if (entry.staleAt > Date.now()) {
        cache.set(key, entry);
        return entry.token;
      }
    }
    let pending = inFlight.get(key);
    if (pending === undefined) {
      const fetching: Promise<string | null> = fetchToken(name, value, key).finally(() => {
        if (inFlight.get(key) === fetching) inFlight.delete(key);
      });
      pending = fetching;
      inFlight.set(key, pending);
    }
    return pending;
  };
  const sessionKey = async (request: Request): Promise<string | null> => {
    const cookie = await sessionCookie(request);
    return cookie === null ? null : sha256Base64url(cookie.value);
  };
  const revoke = async (session: Request | string): Promise<void> => {
    const key = typeof session === "string" ? session : await sessionKey(session);
    if (key === null || key === "") return;
    forget(key);
    await revocation?.revoke(key);
  };
  return Object.assign(source, { sessionKey, revoke, ...(revocation ? { revocation } : {}) });
}

/**
 * Throws when Better Auth itself would give the JWT to browser code: its `/token` route and the
 * `set-auth-jwt` header that the JWT plugin adds to `get-session` are both on by default.
 * Instances whose options cannot be read (a hand-made `BetterAuthLike`) are not checked.
 */
function refuseBrowserJwt(options: BetterAuthLike["options"]): void {
  const plugin = options?.plugins?.find((candidate) => candidate?.id === "jwt");
  if (plugin === undefined) return;
  const leaks: string[] = [];
  if (!options?.disabledPaths?.includes("/token")) leaks.push('disabledPaths: ["/token"]');
  const pluginOptions = plugin.options as { disableSettingJwtHeader?: unknown } | undefined;
  if (pluginOptions?.disableSettingJwtHeader !== true) {
    leaks.push("jwt({ disableSettingJwtHeader: true })");
  }
  if (leaks.length > 0) {
    throw new InvalidConfigError(
      `betterAuthToken: Better Auth serves the JWT to the browser; set ${leaks.join(" and ")} in betterAuth(), or pass { allowBrowserJwt: true }`,
    );
  }
}

/** The JWT's `exp` in epoch ms, read without verifying: it comes from our own auth server, in process. */
function expiresAt(token: string): number {
  try {
    const { exp } = decodeJwt(token);
    return typeof exp === "number" ? exp * 1000 : 0;
  } catch {
    return 0; // not a JWT: used, never cached
  }
}

/** Better Auth's `APIError` for "no session" (`sessionMiddleware`: 401 UNAUTHORIZED). */
function isUnauthorized(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
  return statusCode === 401 || status === 401 || status === "UNAUTHORIZED";
}

function seconds(name: string, value: number, min: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min) {
    throw new InvalidConfigError(`betterAuthToken: ${name} must be a number ≥ ${min}`);
  }
  return value * 1000;
}
