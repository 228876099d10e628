import type { FetchLike } from "../client/create-fetch.js";
import type { CsrfOptions } from "../csrf/check.js";
import type { LogEvent, Logger } from "../proxy/log.js";
import type { RateLimitOptions } from "../rate-limit/types.js";

/**
 * `expires_after` of the ChatKit Sessions API: the session lives `seconds` after its creation.
 * The API's default is 10 minutes.
 */
export interface ChatKitExpiresAfter {
  anchor: "created_at";
  seconds: number;
}

/** `rate_limits` of the ChatKit Sessions API. The API's default is 10 requests a minute. */
export interface ChatKitRateLimits {
  max_requests_per_1_minute?: number;
}

/** `chatkit_configuration` of the ChatKit Sessions API: feature overrides for the session. */
export interface ChatKitConfiguration {
  automatic_thread_titling?: { enabled?: boolean };
  file_upload?: { enabled?: boolean; max_file_size?: number; max_files?: number };
  history?: { enabled?: boolean; recent_threads?: number };
}

/** What is remembered of a session this server issued, under the hash of its client secret. */
export interface IssuedChatKitSession {
  /** The ChatKit session's id (`cksess_…`), for `/cancel`. */
  sessionId: string;
  /** The user id the session was issued to. */
  user: string;
  /** When the client secret expires, in epoch seconds (the API's `expires_at`). */
  expiresAt: number;
}

/**
 * Where issued sessions are remembered, so that a refresh can be bound to the user the old
 * secret was issued to. Keys are the base64url SHA-256 of a client secret: the store never
 * holds a usable secret. The default keeps them in memory, per process; implement this to
 * share them between instances (Redis: `SET key value EX ttl`, `GET`, `DEL`, `GETDEL`), or use
 * `redisChatKitSessionStore` from `handoff-bff/redis`. A store that throws or rejects is
 * answered 500 `ERR_INTERNAL`: refreshes fail closed.
 *
 * @example
 * ```ts
 * const store: ChatKitSessionStore = {
 *   async get(key) {
 *     const value = await redis.get(`chatkit:${key}`);
 *     return value === null ? undefined : JSON.parse(value);
 *   },
 *   async set(key, session, ttlSeconds) {
 *     await redis.set(`chatkit:${key}`, JSON.stringify(session), "EX", ttlSeconds);
 *   },
 *   async delete(key) {
 *     await redis.del(`chatkit:${key}`);
 *   },
 * };
 * ```
 */
export interface ChatKitSessionStore {
  get(
    key: string,
  ): IssuedChatKitSession | null | undefined | Promise<IssuedChatKitSession | null | undefined>;
  /** Remembers a session for `ttlSeconds` (its lifetime plus `refreshGraceSeconds`). */
  set(key: string, session: IssuedChatKitSession, ttlSeconds: number): void | Promise<void>;
  delete(key: string): void | Promise<void>;
  /**
   * Reads and forgets a session in one atomic step (Redis `GETDEL`). With it, a secret is
   * exchanged once only even when two refreshes of it reach two instances at the same moment;
   * without it, the refresh reads with `get` and forgets with `delete`, and two concurrent
   * refreshes of one secret may both succeed.
   */
  take?(
    key: string,
  ): IssuedChatKitSession | null | undefined | Promise<IssuedChatKitSession | null | undefined>;
}

/** Options of `createChatKitSessions`. */
export interface ChatKitSessionsOptions {
  /** The OpenAI API key (`OPENAI_API_KEY`). Sent to `apiBase` only; never answered or logged. */
  apiKey: string;
  /** The Agent Builder workflow the sessions run (`CHATKIT_WORKFLOW_ID`, `wf_…`). */
  workflowId: string;
  /**
   * The signed-in user's stable id, from the request's session (never from its body or
   * query): ChatKit scopes threads and history to it. `null` or `""` → 401
   * `ERR_UNAUTHENTICATED`, and the Sessions API is not contacted.
   */
  user: (request: Request) => string | null | Promise<string | null>;
  /**
   * Where the ChatKit Sessions API lives (`CHATKIT_API_BASE`); `/v1/chatkit/sessions` is
   * appended. A base path (an API gateway's) is kept.
   * @default "https://api.openai.com"
   */
  apiBase?: string;
  /** `expires_after` of every session. @default the API's (10 minutes) */
  expiresAfter?: ChatKitExpiresAfter;
  /** `rate_limits` of every session. @default the API's (10 requests a minute) */
  rateLimits?: ChatKitRateLimits;
  /** `chatkit_configuration` of every session. @default the API's */
  chatkitConfiguration?: ChatKitConfiguration;
  /**
   * Where issued sessions are remembered for refreshes.
   * @default memorySessionStore() (this process only, 10,000 sessions at most)
   */
  store?: ChatKitSessionStore;
  /**
   * How long after its expiry a secret may still be exchanged by its user. ChatKit asks for a
   * new secret when the old one is about to expire, or has (a tab that slept); the user is
   * checked either way, so a little grace costs nothing.
   * @default 3600
   */
  refreshGraceSeconds?: number;
  /**
   * The CSRF check, as the proxy's: a cross-site page must not make the victim's browser mint
   * sessions (or cancel them) with its cookie. Same-origin requests only by default.
   * @default {} (Sec-Fetch-Site and Origin checked against the app's own origin)
   */
  csrf?: CsrfOptions | false;
  /**
   * Take the app's own origin (for the `Origin` check) from `X-Forwarded-Host/Proto`. Only
   * behind a reverse proxy that overwrites them.
   * @default false
   */
  trustForwarded?: boolean;
  /**
   * Limits on minting, which spends the API key's quota: `perIp` as the proxy's, `perSession`
   * counted per user id. Over the limit: 429 `ERR_RATE_LIMITED`, nothing minted.
   * @default none
   */
  rateLimit?: RateLimitOptions;
  /**
   * Milliseconds each Sessions API call may take, answer included → 504 `ERR_UPSTREAM_TIMEOUT`.
   * @default 10_000
   */
  timeout?: number;
  /**
   * One event per request, and a `warn` when cancelling the old session failed. Events name
   * codes and statuses, never a secret, the API key or a user id.
   */
  logger?: Logger | ((event: LogEvent) => void);
  /**
   * The `fetch` that calls the Sessions API.
   * @default the global `fetch`, looked up on each call
   */
  fetch?: FetchLike;
}

/** The two route handlers of the backend-issued client-secret flow. */
export interface ChatKitSessions {
  /**
   * `POST /api/chatkit/start`: mints a session for the signed-in user and answers
   * `{ client_secret, expires_at }`. Never rejects: failures are problem+json.
   * @example
   * ```ts
   * export const POST = (request: Request) => sessions.start(request);
   * ```
   */
  start(request: Request): Promise<Response>;
  /**
   * `POST /api/chatkit/refresh` with `{ "currentClientSecret": "ek_…" }`: when that secret
   * was issued here to the signed-in user, mints a new session, cancels the old one and
   * answers `{ client_secret, expires_at }`; else 403 `ERR_CHATKIT_SECRET_MISMATCH`, nothing
   * minted or cancelled. Never rejects.
   * @example
   * ```ts
   * export const POST = (request: Request) => sessions.refresh(request);
   * ```
   */
  refresh(request: Request): Promise<Response>;
}
