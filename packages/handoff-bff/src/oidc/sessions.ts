import { base64url } from "jose";
import {
  clearChunkedCookie,
  readChunkedCookie,
  writeChunkedCookie,
} from "../lib/chunked-cookie.js";
import { parseCookieHeader } from "../lib/cookies.js";
import { type Sealer, sealer } from "../lib/seal.js";
import { sha256Base64url } from "../lib/sha256.js";
import type { ResolvedOidcOptions } from "./options.js";
import type { OidcSession } from "./types.js";

/** A session read from a request. */
export interface ReadSession {
  session: OidcSession;
  /** The session's non-secret name: SHA-256 of its id (the store's key, the revocation key). */
  key: string;
}

/** Reads and writes sessions, sealed in the cookie or in the store with an id in the cookie. */
export interface Sessions {
  /** The request's session, `null` without a usable one; throws when the cookie comes twice. */
  read(request: Request): Promise<ReadSession | null>;
  /** Whether the request carries a session cookie at all, usable or not. */
  present(request: Request): boolean;
  /** The request's session key, without reading the store. */
  keyOf(request: Request): Promise<string | null>;
  /** A session newly signed in: saved, and the `Set-Cookie` values that carry it. */
  create(request: Request, session: OidcSession): Promise<string[]>;
  /**
   * A session rotated: with a store, saved there (one `set`: atomic) and no cookie, as the id
   * stays; in cookie mode, the `Set-Cookie` values of the new sealed cookie.
   */
  save(request: Request, session: OidcSession): Promise<string[]>;
  /** The store's current copy (`undefined` in cookie mode). */
  current(key: string): Promise<OidcSession | undefined>;
  /** Deletes the session (store mode) and answers the `Set-Cookie` values that expire it. */
  end(request: Request | null, key: string | null): Promise<string[]>;
}

export function randomId(): string {
  return base64url.encode(crypto.getRandomValues(new Uint8Array(32)));
}

export function cookieAttributes(secure: boolean): string {
  // HttpOnly: no script reads it; SameSite=Lax: not sent on cross-site subrequests, still sent
  // on the provider's top-level redirect back; Path=/ and Secure: required by __Host-
  // (RFC 6265bis §4.1.3.2), which also forbids Domain, so no sibling subdomain can set it.
  return `Path=/; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}

export function createSessions(options: ResolvedOidcOptions): Sessions {
  const { store, cookieName, maxAgeSeconds } = options;
  const attributes = cookieAttributes(options.secure);
  const seal: Sealer = sealer(options.secrets, `${cookieName} session`);
  const remaining = (session: OidcSession) =>
    Math.ceil((session.createdAt + maxAgeSeconds * 1000 - Date.now()) / 1000);

  const cookies = (request: Request) => {
    const repeated = new Set<string>();
    const sent = parseCookieHeader(request.headers.get("cookie"), repeated);
    return { sent, value: readChunkedCookie(sent, cookieName, repeated) };
  };

  const live = (session: OidcSession | null | undefined): session is OidcSession =>
    isSession(session) && remaining(session) > 0;

  async function write(request: Request, session: OidcSession): Promise<string[]> {
    const maxAge = Math.max(1, remaining(session));
    const { sent } = cookies(request);
    if (store !== null) {
      await store.set(await sha256Base64url(session.id), session, maxAge);
      return writeChunkedCookie(cookieName, session.id, attributes, maxAge, sent);
    }
    const sealed = await seal.seal({ ...session }, maxAge);
    return writeChunkedCookie(cookieName, sealed, attributes, maxAge, sent);
  }

  const sessions: Sessions = {
    async read(request) {
      const { value } = cookies(request);
      if (value === null) return null;
      if (store !== null) {
        const key = await sha256Base64url(value);
        const session = await store.get(key);
        return live(session) && session.id === value ? { session, key } : null;
      }
      const payload = await seal.unseal(value);
      const session = payload === null ? null : toSession(payload);
      return live(session) ? { session, key: await sha256Base64url(session.id) } : null;
    },
    present(request) {
      return cookies(request).value !== null;
    },
    async keyOf(request) {
      if (store === null) return (await sessions.read(request))?.key ?? null;
      const { value } = cookies(request);
      return value === null ? null : sha256Base64url(value);
    },
    create: write,
    async save(request, session) {
      if (store === null) return write(request, session);
      await store.set(await sha256Base64url(session.id), session, Math.max(1, remaining(session)));
      return [];
    },
    async current(key) {
      if (store === null) return undefined;
      const session = await store.get(key);
      return live(session) ? session : undefined;
    },
    async end(request, key) {
      if (store !== null && key !== null) await store.delete(key);
      const sent = request === null ? new Map<string, string>() : cookies(request).sent;
      return clearChunkedCookie(cookieName, attributes, sent);
    },
  };
  return sessions;
}

function toSession(payload: Record<string, unknown>): OidcSession | null {
  const { id, sub, sid, idToken, accessToken, refreshToken, expiresAt, createdAt, updatedAt } =
    payload;
  const session = {
    id,
    sub,
    sid,
    idToken,
    accessToken,
    refreshToken,
    expiresAt,
    createdAt,
    updatedAt,
  };
  return isSession(session) ? session : null;
}

function isSession(value: unknown): value is OidcSession {
  if (typeof value !== "object" || value === null) return false;
  const s = value as Record<string, unknown>;
  return (
    typeof s.id === "string" &&
    typeof s.sub === "string" &&
    (s.sid === undefined || typeof s.sid === "string") &&
    typeof s.idToken === "string" &&
    typeof s.accessToken === "string" &&
    (s.refreshToken === undefined || typeof s.refreshToken === "string") &&
    typeof s.expiresAt === "number" &&
    typeof s.createdAt === "number" &&
    typeof s.updatedAt === "number"
  );
}
