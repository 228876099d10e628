import * as client from "openid-client";
import {
  OidcProviderUnavailableError,
  SessionExpiredError,
  StoreUnavailableError,
} from "../errors.js";
import { setBounded } from "../lib/bounded-map.js";
import type { TokenResult, TokenSource } from "../tokens/types.js";
import { activeSession, type OidcContext } from "./context.js";
import { isProviderDown, oauthError } from "./provider.js";
import type { OidcSession } from "./types.js";

/** The token source of `createOidc` (`oidc.token`), for `createProxy`. */
export interface OidcTokenSource extends TokenSource {
  (request: Request): Promise<TokenResult | null>;
  /** The SHA-256 of the session's id: stable across refreshes and instances. */
  sessionKey(request: Request): Promise<string | null>;
  /** Refreshes the session unless `rejected` is no longer its access token. */
  renew(request: Request, rejected: string): Promise<TokenResult | null>;
}

/** A session rotated (or ended) in this process, newest first, for cookie mode. */
interface Rotated {
  session: OidcSession | null;
  until: number;
}

const MAX_ROTATED = 10_000;
const POLL_MS = 50;

/**
 * Access tokens from the session, refreshed with openid-client's `refreshTokenGrant` when one
 * expires within `skewSeconds`, or when the upstream refused it (`renew`). One refresh per
 * session at a time: concurrent requests of a session share one promise; with a store and a
 * `refresh.lock`, one instance refreshes while the others poll the store for its result.
 * A rotated refresh token is saved before any request uses the new access token: in the
 * store (one `set`), or as a new sealed cookie on every response that used it. In cookie
 * mode, the rotated session is also remembered in this process, so that requests still
 * carrying the old cookie use it rather than refreshing again with a spent refresh token.
 */
export function oidcTokenSource(context: OidcContext): OidcTokenSource {
  const { sessions, resolved, config } = context;
  const cookieMode = resolved.store === null;
  const lock = context.options.refresh?.lock;
  const rotated = new Map<string, Rotated>();
  const inFlight = new Map<string, Promise<OidcSession>>();

  const remember = (key: string, session: OidcSession | null) => {
    const now = Date.now();
    const until = now + resolved.maxAgeSeconds * 1000;
    setBounded(
      rotated,
      key,
      { session, until },
      { max: MAX_ROTATED, now, expiresAt: (r) => r.until },
    );
  };

  /** Exchanges the refresh token; an `invalid_grant` ends the session. */
  async function grant(key: string, session: OidcSession): Promise<OidcSession> {
    if (session.refreshToken === undefined) throw await ended(key, null);
    let tokens: Awaited<ReturnType<typeof client.refreshTokenGrant>>;
    try {
      tokens = await client.refreshTokenGrant(await config(), session.refreshToken);
    } catch (error) {
      if (isProviderDown(error)) throw new OidcProviderUnavailableError(error);
      // RFC 6749 §5.2: the refresh token is invalid, expired, revoked or was reused.
      if (oauthError(error) === "invalid_grant") throw await ended(key, error);
      throw new Error("oidc: the provider refused the refresh", { cause: error });
    }
    const claims = tokens.claims();
    // OpenID Connect Core §12.2: a refreshed ID token's sub must be the original one.
    if (claims !== undefined && claims.sub !== session.sub) {
      throw new Error("oidc: the refreshed ID token is for another subject");
    }
    const now = Date.now();
    return {
      ...session,
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token ?? session.refreshToken,
      idToken: tokens.id_token ?? session.idToken,
      expiresAt: expiresAt(tokens.expiresIn(), session.createdAt, resolved.maxAgeSeconds),
      updatedAt: Math.max(now, session.updatedAt + 1),
    };
  }

  async function ended(key: string, cause: unknown): Promise<SessionExpiredError> {
    if (cookieMode) remember(key, null);
    else await sessions.end(null, key);
    return new SessionExpiredError(cause);
  }

  /** One refresh for the session `key`, in this process and (with a lock) across instances. */
  async function refreshShared(request: Request, key: string, stale: OidcSession) {
    if (cookieMode) {
      const fresh = await grant(key, stale);
      remember(key, fresh);
      return fresh;
    }
    const deadline = Date.now() + resolved.waitMs;
    for (;;) {
      const release = lock === undefined ? async () => {} : await lock.acquire(`refresh:${key}`);
      // Read after taking the lock: another instance may have refreshed in the meantime.
      const current = await sessions.current(key);
      if (current === undefined) {
        await release?.();
        throw new SessionExpiredError();
      }
      if (current.updatedAt > stale.updatedAt) {
        await release?.();
        return current;
      }
      if (release !== null) {
        try {
          const fresh = await grant(key, current);
          await sessions.save(request, fresh);
          return fresh;
        } finally {
          await release().catch(() => {});
        }
      }
      if (Date.now() > deadline) throw new StoreUnavailableError(new Error("refresh lock wait"));
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  async function token(request: Request, rejected?: string): Promise<TokenResult | null> {
    const cookies: string[] = [];
    const result = (token: string): TokenResult => ({ token, setCookie: cookies });
    try {
      const read = await activeSession(context, request, cookies);
      if (read === null) return { token: null, setCookie: cookies };
      const { key } = read;
      let session = read.session;
      const newer = cookieMode ? rotated.get(key) : undefined;
      if (newer !== undefined && newer.session === null) throw new SessionExpiredError();
      if (newer?.session && newer.session.updatedAt > session.updatedAt) {
        session = newer.session;
        cookies.push(...(await sessions.save(request, session)));
      }
      const due =
        rejected === undefined
          ? session.expiresAt - resolved.skewMs <= Date.now()
          : session.accessToken === rejected;
      if (!due) return result(session.accessToken);
      let flight = inFlight.get(key);
      if (flight === undefined) {
        const started = refreshShared(request, key, session).finally(() => {
          if (inFlight.get(key) === started) inFlight.delete(key);
        });
        flight = started;
        inFlight.set(key, flight);
      }
      session = await flight;
      if (cookieMode) cookies.splice(0, cookies.length, ...(await sessions.save(request, session)));
      return result(session.accessToken);
    } catch (error) {
      // The 401 clears the session cookie: it names a session that no longer exists.
      if (error instanceof SessionExpiredError && error.setCookie.length === 0) {
        throw new SessionExpiredError(error.cause, await sessions.end(request, null));
      }
      throw error;
    }
  }

  const source = (request: Request) => token(request);
  return Object.assign(source, {
    sessionKey: (request: Request) => sessions.keyOf(request),
    renew: (request: Request, rejected: string) => token(request, rejected),
  });
}

/** Epoch ms of the access token's expiry; without `expires_in`, the session's end. */
export function expiresAt(expiresIn: number | undefined, createdAt: number, maxAge: number) {
  return expiresIn === undefined ? createdAt + maxAge * 1000 : Date.now() + expiresIn * 1000;
}
