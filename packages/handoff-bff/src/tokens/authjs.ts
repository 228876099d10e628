import { base64url, calculateJwkThumbprint, type JWTDecryptGetKey, jwtDecrypt } from "jose";
import { InvalidConfigError } from "../errors.js";
import { readChunkedCookie } from "../lib/chunked-cookie.js";
import { parseCookieHeader } from "../lib/cookies.js";
import { hkdfSha256 } from "../lib/hkdf.js";
import { sha256Base64url } from "../lib/sha256.js";
import { type AuthjsRefreshOptions, sessionRefresher } from "./authjs-refresh.js";
import type { TokenSource } from "./types.js";

/** Options of {@link authjsToken}. */
export interface AuthjsTokenOptions {
  /**
   * Auth.js's `AUTH_SECRET`. An array rotates secrets as Auth.js does: the first is the
   * current one, the others are still accepted.
   */
  secret: string | readonly string[];
  /**
   * The JWT claim that holds the backend's token, set in Auth.js's `jwt` callback.
   * @default "backendToken"
   */
  claim?: string;
  /** The session cookie's name, when Auth.js's `cookies.sessionToken.name` was changed. */
  cookieName?: string;
  /**
   * `true` reads only `__Secure-authjs.session-token`, `false` only `authjs.session-token`.
   * Set `true` in production over https: only a secure origin can set a `__Secure-` cookie
   * (RFC 6265bis §4.1.3.1), while a plain name can be tossed in by a sibling subdomain or a
   * plain-http page to sign the user into someone else's session.
   * @default undefined (the `__Secure-` name, then the plain one)
   */
  secureCookie?: boolean;
  /**
   * Refreshes the backend token when it expires within `skewSeconds`, once per session per
   * process, and writes the updated session back as Auth.js's own cookie (`Set-Cookie` on the
   * proxied response), since Auth.js cannot save it from a Server Component or middleware.
   * @default undefined (the claim is forwarded as it is, expired or not)
   */
  refresh?: AuthjsRefreshOptions;
}

// @auth/core lib/utils/cookie.js defaultCookies(): the prefix is added on https.
const SECURE_NAME = "__Secure-authjs.session-token";
const PLAIN_NAME = "authjs.session-token";
/** RFC 6265 §4.1.1: a cookie name is an RFC 7230 token. */
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// @auth/core jwt.js: the only algorithms its encode() emits.
const ALG = "dir";
const ENC = "A256CBC-HS512";

interface SessionCookie {
  name: string;
  /** The cookie's value, chunks joined. */
  token: string;
  cookies: ReadonlyMap<string, string>;
}

interface DerivedKey {
  key: Uint8Array;
  /** The JWK thumbprint Auth.js writes as the JWE `kid` (RFC 7638, SHA-512 for a 64-byte key). */
  kid: string;
}

/**
 * Reads a NextAuth v5 / Auth.js session cookie and returns one claim of its JWT, such as the
 * backend API token an app keeps in the session via the `jwt` callback.
 *
 * The cookie is decrypted as @auth/core's `decode()` does (JWE `dir` + `A256CBC-HS512`, key
 * from HKDF-SHA-256 with the cookie name as salt, `kid` picking among rotated secrets, `exp`
 * checked with 15 s of clock tolerance), with jose and Web Crypto only. Chunked cookies
 * (`name.0`, `name.1`, …) are reassembled. Unlike Auth.js's `getToken()`, an `Authorization`
 * header is never read. NextAuth v4 cookies (`next-auth.session-token`, a differently
 * derived `A256GCM` key) are not supported.
 *
 * Resolves to the claim when it is a non-empty string, otherwise `null`: a missing, tampered,
 * expired or foreign cookie is answered with 401 by the proxy. A session cookie sent twice (a
 * name or chunk repeated, or the unchunked name beside chunks) rejects with
 * `AmbiguousSessionCookieError` (401 `ERR_AMBIGUOUS_SESSION_COOKIE`), since a sibling subdomain
 * can toss in a copy that browsers send first. Derived keys are cached per
 * cookie name; decrypted tokens are not cached, so nothing outlives the request (with
 * `refresh`, a refreshed token is kept while it is fresh, keyed by the old cookie's hash). Its
 * `sessionKey` is the SHA-256 of the session cookie (chunks joined), without decrypting it.
 *
 * With `refresh`, a token that expires within `skewSeconds` is renewed by your function (one
 * call per session per process, however many requests wait for it) and the session is written
 * back, encrypted as @auth/core's `encode()` does, as `Set-Cookie` on the response (a
 * `TokenResult`); a refresh that fails answers 401 `ERR_SESSION_EXPIRED` and expires the
 * cookie.
 *
 * @throws InvalidConfigError (`ERR_INVALID_CONFIG`) when the options are unusable.
 * @example
 * ```ts
 * const proxy = createProxy({
 *   upstream: "https://api.example.com",
 *   mount: "/api/proxy",
 *   token: authjsToken({ secret: process.env.AUTH_SECRET!, secureCookie: true }),
 * });
 *
 * const refreshing = authjsToken({
 *   secret: process.env.AUTH_SECRET!,
 *   secureCookie: true,
 *   refresh: {
 *     refresh: async ({ refreshToken }) => {
 *       const response = await fetch("https://api.example.com/token/refresh", {
 *         method: "POST",
 *         body: new URLSearchParams({ refresh_token: refreshToken ?? "" }),
 *         signal: AbortSignal.timeout(5_000),
 *       });
 *       if (response.status === 400 || response.status === 401) return null;
 *       const body = await response.json();
 *       return { accessToken: body.access_token, expiresAt: body.expires_at, refreshToken: body.refresh_token };
 *     },
 *   },
 * });
 * ```
 */
export function authjsToken(options: AuthjsTokenOptions): TokenSource {
  if (typeof options !== "object" || options === null) {
    throw new InvalidConfigError("authjsToken: options must be an object");
  }
  const secrets = checkSecrets(options.secret);
  const claim = options.claim ?? "backendToken";
  if (typeof claim !== "string" || claim === "") {
    throw new InvalidConfigError("authjsToken: claim must be a non-empty string");
  }
  const names = cookieNames(options);

  // One derivation per cookie name (the salt) for the life of the source, not per request.
  const keys = new Map<string, Promise<DerivedKey[]>>();
  const keysFor = (salt: string): Promise<DerivedKey[]> => {
    const cached = keys.get(salt);
    if (cached !== undefined) return cached;
    const derived = Promise.all(secrets.map((secret) => deriveKey(secret, salt)));
    keys.set(salt, derived);
    // A failed derivation is the runtime's fault, not the client's: it rejects (the proxy
    // answers 500) and is retried next time rather than cached.
    derived.catch(() => {
      if (keys.get(salt) === derived) keys.delete(salt);
    });
    return derived;
  };

  /** The first session cookie present, by the names' order; throws when one is repeated. */
  const sessionCookie = (request: Request): SessionCookie | null => {
    const repeated = new Set<string>();
    const cookies = parseCookieHeader(request.headers.get("cookie"), repeated);
    for (const name of names) {
      const token = readChunkedCookie(cookies, name, repeated);
      if (token !== null) return { name, token, cookies };
    }
    return null;
  };
  const refresh =
    options.refresh === undefined
      ? null
      : sessionRefresher(options.refresh, claim, async (name) => {
          const [current] = await keysFor(name);
          return current as DerivedKey;
        });

  const source: TokenSource = async (request) => {
    // The first name present decides: a valid `__Secure-` session is never replaced by a
    // plain-named cookie, and a broken one does not fall back to it. A name present twice
    // throws (401 ERR_AMBIGUOUS_SESSION_COOKIE): a sibling subdomain may have added one.
    const cookie = sessionCookie(request);
    if (cookie === null) return null;
    const payload = await decrypt(cookie.token, await keysFor(cookie.name));
    const value = payload !== null && Object.hasOwn(payload, claim) ? payload[claim] : null;
    if (payload === null || typeof value !== "string" || value === "") return null;
    if (refresh === null) return value;
    const { name, token, cookies } = cookie;
    return refresh({ name, value: token, cookies, payload, token: value });
  };
  source.sessionKey = (request) => {
    const cookie = sessionCookie(request);
    return cookie === null ? null : sha256Base64url(cookie.token);
  };
  return source;
}

function checkSecrets(secret: unknown): string[] {
  const secrets: unknown[] = Array.isArray(secret) ? secret : [secret];
  if (secrets.length === 0) {
    throw new InvalidConfigError("authjsToken: secret must not be an empty array");
  }
  for (const item of secrets) {
    // The message never echoes the value: it is a secret.
    if (typeof item !== "string" || item === "") {
      throw new InvalidConfigError("authjsToken: every secret must be a non-empty string");
    }
  }
  return secrets as string[];
}

function cookieNames(options: AuthjsTokenOptions): readonly string[] {
  const { cookieName, secureCookie } = options;
  if (secureCookie !== undefined && typeof secureCookie !== "boolean") {
    throw new InvalidConfigError("authjsToken: secureCookie must be a boolean");
  }
  if (cookieName !== undefined) {
    if (typeof cookieName !== "string" || !COOKIE_NAME.test(cookieName)) {
      throw new InvalidConfigError(
        `authjsToken: ${JSON.stringify(cookieName)} is not a valid cookie name`,
      );
    }
    return [cookieName];
  }
  if (secureCookie === undefined) return [SECURE_NAME, PLAIN_NAME];
  return [secureCookie ? SECURE_NAME : PLAIN_NAME];
}

/** @auth/core jwt.js getDerivedEncryptionKey(): 64 bytes for A256CBC-HS512, salt = cookie name. */
async function deriveKey(secret: string, salt: string): Promise<DerivedKey> {
  const key = await hkdfSha256(secret, salt, `Auth.js Generated Encryption Key (${salt})`, 64);
  const kid = await calculateJwkThumbprint({ kty: "oct", k: base64url.encode(key) }, "sha512");
  return { key, kid };
}

/** Decrypts as @auth/core jwt.js decode() does; `null` for anything a client could have sent. */
async function decrypt(token: string, keys: DerivedKey[]): Promise<Record<string, unknown> | null> {
  // Auth.js: no `kid` means the current secret; an unknown `kid` matches no secret.
  const getKey: JWTDecryptGetKey = ({ kid }) => {
    const match = kid === undefined ? keys[0] : keys.find((candidate) => candidate.kid === kid);
    if (match === undefined) throw new Error("no matching secret");
    return match.key;
  };
  try {
    const { payload } = await jwtDecrypt(token, getKey, {
      clockTolerance: 15,
      keyManagementAlgorithms: [ALG],
      contentEncryptionAlgorithms: [ENC],
      // Auth.js always sets `exp`; a token without one would never expire.
      requiredClaims: ["exp"],
    });
    return payload;
  } catch {
    return null;
  }
}
