import { EncryptJWT } from "jose";
import { InvalidConfigError, SessionExpiredError } from "../errors.js";
import { setBounded } from "../lib/bounded-map.js";
import { clearChunkedCookie, writeChunkedCookie } from "../lib/chunked-cookie.js";
import { sha256Base64url } from "../lib/sha256.js";
import type { TokenResult } from "./types.js";

/** What `refresh.refresh` is given. */
export interface AuthjsRefreshInput {
  /** The `refreshTokenClaim` of the session, when it is a non-empty string. */
  refreshToken: string | null;
  /** The decoded session JWT (a copy): every claim the `jwt` callback stored. */
  token: Readonly<Record<string, unknown>>;
}

/** What `refresh.refresh` resolves to when the backend issued a new token. */
export interface AuthjsRefreshed {
  /** The new token, written to `claim` and forwarded. */
  accessToken: string;
  /** When it expires, in seconds since the epoch (as a JWT's `exp`); written to `expiresAtClaim`. */
  expiresAt: number;
  /** A rotated refresh token, written to `refreshTokenClaim`; omitted keeps the old one. */
  refreshToken?: string;
}

/** The `refresh` option of {@link AuthjsTokenOptions}. */
export interface AuthjsRefreshOptions {
  /**
   * Asks your backend or provider for a new token. Resolve to `null` or `{ error }` (the shape
   * Auth.js's refresh-token-rotation guide stores) when the refresh token was refused; that,
   * or a rejection, ends the session: 401 `ERR_SESSION_EXPIRED` and its cookie is expired.
   */
  refresh: (input: AuthjsRefreshInput) => Promise<AuthjsRefreshed | { error: string } | null>;
  /**
   * The claim that holds the token's expiry, in seconds since the epoch. A session without it
   * (or with a non-number) is never refreshed.
   * @default "backendTokenExpiresAt"
   */
  expiresAtClaim?: string;
  /** @default "backendRefreshToken" */
  refreshTokenClaim?: string;
  /**
   * Refresh this many seconds before the token expires, so that none expires in flight.
   * @default 60
   */
  skewSeconds?: number;
  /**
   * The session cookie's attributes, when Auth.js's `cookies.sessionToken.options` changed
   * them: written with other ones, the refreshed cookie would sit beside the old one, which the
   * browser then sends twice (401 `ERR_AMBIGUOUS_SESSION_COOKIE`).
   * @default Auth.js's: `Path=/`, no `Domain`, `SameSite=Lax`, `Secure` for a `__Secure-` or `__Host-` name
   */
  cookieOptions?: {
    path?: string;
    domain?: string;
    sameSite?: "lax" | "strict" | "none";
    secure?: boolean;
  };
}

/** The session as `authjsToken` read it. */
export interface ReadSession {
  name: string;
  /** The cookie's value, chunks joined. */
  value: string;
  /** The request's cookies: those of the session that a rewrite does not overwrite are expired. */
  cookies: ReadonlyMap<string, string>;
  payload: Record<string, unknown>;
  /** The claim's value, a non-empty string. */
  token: string;
}

type Outcome =
  | { ok: true; accessToken: string; expiresAt: number; value: string }
  | { ok: false; cause: unknown };
interface Flight {
  outcome: Promise<Outcome>;
  /** Until when a finished refresh is reused (ms); `Infinity` while it runs. */
  until: number;
}

/** One entry per session being refreshed, or refreshed a moment ago: bounded, as any client can add one. */
const MAX_FLIGHTS = 10_000;
const TOKEN_CHARS = /^[^\r\n\0]+$/;
const ATTRIBUTE_VALUE = /^[\x21-\x2b\x2d-\x3a\x3c-\x7e]+$/;

/** Checks `refresh` and returns the function that refreshes a session when it is due. */
export function sessionRefresher(
  options: AuthjsRefreshOptions,
  claim: string,
  encryptionKey: (name: string) => Promise<{ key: Uint8Array; kid: string }>,
): (session: ReadSession) => Promise<string | TokenResult> {
  const { refresh } = options;
  if (typeof refresh !== "function") {
    throw new InvalidConfigError("authjsToken: refresh.refresh must be a function");
  }
  const expiresAtClaim = claimName(options.expiresAtClaim, "backendTokenExpiresAt");
  const refreshTokenClaim = claimName(options.refreshTokenClaim, "backendRefreshToken");
  const skew = options.skewSeconds ?? 60;
  if (typeof skew !== "number" || !Number.isFinite(skew) || skew < 0) {
    throw new InvalidConfigError("authjsToken: refresh.skewSeconds must be a number ≥ 0");
  }
  const attributesFor = cookieAttributes(options.cookieOptions);
  // Single flight per process: the requests of one session share one refresh, and requests that
  // still carry the old cookie after it (sent before the browser stored the new one) reuse its
  // result instead of spending a refresh token that may already be rotated.
  const flights = new Map<string, Flight>();

  const run = async (session: ReadSession): Promise<Outcome> => {
    const { payload } = session;
    const stored = payload[refreshTokenClaim];
    let result: Awaited<ReturnType<typeof refresh>>;
    try {
      result = await refresh({
        refreshToken: typeof stored === "string" && stored !== "" ? stored : null,
        token: structuredClone(payload),
      });
    } catch (cause) {
      return { ok: false, cause };
    }
    if (result === null || result === undefined || "error" in result) {
      return { ok: false, cause: result };
    }
    const { accessToken, expiresAt, refreshToken } = result;
    // A malformed answer is a bug in the refresh function, not a verdict on the session: 500
    // ERR_TOKEN_SOURCE, and the cookie is kept.
    if (typeof accessToken !== "string" || !TOKEN_CHARS.test(accessToken)) {
      throw new TypeError("authjsToken: refresh resolved to an unusable accessToken");
    }
    if (typeof expiresAt !== "number" || !(expiresAt * 1000 > Date.now())) {
      throw new TypeError("authjsToken: refresh resolved to an expiresAt not in the future");
    }
    if (refreshToken !== undefined && (typeof refreshToken !== "string" || refreshToken === "")) {
      throw new TypeError("authjsToken: refresh resolved to an unusable refreshToken");
    }
    const next = { ...payload, [claim]: accessToken, [expiresAtClaim]: expiresAt };
    if (refreshToken !== undefined) next[refreshTokenClaim] = refreshToken;
    // The session keeps its `exp`: renewing the backend token does not lengthen the sign-in,
    // which stays Auth.js's `session.maxAge` / `updateAge` to decide.
    const sessionExp = exp(session);
    const { key, kid } = await encryptionKey(session.name);
    // As @auth/core jwt.js encode(): the current secret's key and `kid`, a fresh `iat` and `jti`.
    const value = await new EncryptJWT(next)
      .setProtectedHeader({ alg: "dir", enc: "A256CBC-HS512", kid })
      .setIssuedAt()
      .setExpirationTime(sessionExp)
      .setJti(crypto.randomUUID())
      .encrypt(key);
    return { ok: true, accessToken, expiresAt, value };
  };

  const start = (id: string, session: ReadSession): Flight => {
    const flight: Flight = { outcome: run(session), until: Number.POSITIVE_INFINITY };
    setBounded(flights, id, flight, {
      max: MAX_FLIGHTS,
      now: Date.now(),
      expiresAt: (entry) => entry.until,
    });
    flight.outcome.then(
      (outcome) => {
        if (!outcome.ok) {
          if (flights.get(id) === flight) flights.delete(id);
          return;
        }
        flight.until = Math.min(exp(session), outcome.expiresAt - skew) * 1000;
      },
      () => {
        if (flights.get(id) === flight) flights.delete(id);
      },
    );
    return flight;
  };

  return async (session) => {
    const expiresAt = session.payload[expiresAtClaim];
    if (typeof expiresAt !== "number" || !Number.isFinite(expiresAt)) return session.token;
    if ((expiresAt - skew) * 1000 > Date.now()) return session.token;
    const id = await sha256Base64url(`${session.name}=${session.value}`);
    const current = flights.get(id);
    const flight =
      current !== undefined && current.until > Date.now() ? current : start(id, session);
    const outcome = await flight.outcome;
    const attributes = attributesFor(session.name);
    const { name, cookies } = session;
    if (!outcome.ok) {
      throw new SessionExpiredError(outcome.cause, clearChunkedCookie(name, attributes, cookies));
    }
    // As long as the session's `exp`, as Auth.js's own cookie (it sets `Expires` to the same date).
    const maxAge = Math.max(0, exp(session) - Math.floor(Date.now() / 1000));
    return {
      token: outcome.accessToken,
      setCookie: writeChunkedCookie(name, outcome.value, attributes, maxAge, cookies),
    };
  };
}

/** The session's `exp`, which `jwtDecrypt` required and checked to be a number. */
function exp(session: ReadSession): number {
  return session.payload.exp as number;
}

function claimName(value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== "string" || value === "") {
    throw new InvalidConfigError("authjsToken: refresh claim names must be non-empty strings");
  }
  return value;
}

function cookieAttributes(
  options: AuthjsRefreshOptions["cookieOptions"],
): (name: string) => string {
  const { path = "/", domain, sameSite = "lax", secure } = options ?? {};
  for (const [label, value] of [
    ["path", path],
    ["domain", domain],
  ] as const) {
    if (value !== undefined && (typeof value !== "string" || !ATTRIBUTE_VALUE.test(value))) {
      throw new InvalidConfigError(`authjsToken: refresh.cookieOptions.${label} is not valid`);
    }
  }
  if (sameSite !== "lax" && sameSite !== "strict" && sameSite !== "none") {
    throw new InvalidConfigError(
      'authjsToken: refresh.cookieOptions.sameSite must be "lax", "strict" or "none"',
    );
  }
  if (secure !== undefined && typeof secure !== "boolean") {
    throw new InvalidConfigError("authjsToken: refresh.cookieOptions.secure must be a boolean");
  }
  const sameSiteValue = sameSite === "lax" ? "Lax" : sameSite === "strict" ? "Strict" : "None";
  const common = `Path=${path}${domain === undefined ? "" : `; Domain=${domain}`}; HttpOnly`;
  return (name) => {
    // RFC 6265bis §4.1.3: a prefixed name is only stored with `Secure` (and `__Host-` only with
    // `Path=/` and no `Domain`); SameSite=None only with `Secure` (§5.4.7).
    const prefixed = name.startsWith("__Secure-") || name.startsWith("__Host-");
    const secured = prefixed || (secure ?? sameSite === "none");
    return `${common}${secured ? "; Secure" : ""}; SameSite=${sameSiteValue}`;
  };
}
