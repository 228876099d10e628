import { csrfCheck } from "../csrf/check.js";
import {
  ChatKitSecretMismatchError,
  HandoffError,
  InternalError,
  MethodNotAllowedError,
  UnauthenticatedError,
} from "../errors.js";
import { sha256Base64url } from "../lib/sha256.js";
import { logSink } from "../proxy/log.js";
import { requestIdOf } from "../proxy/request-headers.js";
import { rateLimiter } from "../rate-limit/limiter.js";
import { type Reporter, reporter } from "./log.js";
import { resolveOptions } from "./options.js";
import { ownOrigin, readCurrentSecret } from "./request.js";
import { type MintedSession, sessionsApi } from "./sessions-api.js";
import type { ChatKitSessions, ChatKitSessionsOptions } from "./types.js";

const POST_ONLY = ["POST"];

/**
 * The server side of ChatKit's hosted flow (flow 1 in docs/chatkit.md): route handlers that
 * mint short-lived ChatKit client secrets for the signed-in user through the ChatKit Sessions
 * API. The API key stays on the server; the session's `user` comes from `options.user`, never
 * from the browser; a refresh is honoured only for a secret issued here to the same user, and
 * cancels it. Runs in any Fetch-API runtime.
 *
 * @example
 * ```ts
 * // lib/chatkit.ts
 * import { createChatKitSessions } from "handoff-bff/chatkit";
 *
 * export const sessions = createChatKitSessions({
 *   apiKey: process.env.OPENAI_API_KEY ?? "",
 *   workflowId: process.env.CHATKIT_WORKFLOW_ID ?? "",
 *   user: async (request) => (await auth.api.getSession({ headers: request.headers }))?.user.id ?? null,
 * });
 *
 * // app/api/chatkit/start/route.ts
 * export const POST = (request: Request) => sessions.start(request);
 * // app/api/chatkit/refresh/route.ts
 * export const POST = (request: Request) => sessions.refresh(request);
 * ```
 */
export function createChatKitSessions(options: ChatKitSessionsOptions): ChatKitSessions {
  const resolved = resolveOptions(options);
  const { store, refreshGraceSeconds, trustForwarded } = resolved;
  const csrf = csrfCheck(options.csrf);
  const limiter = rateLimiter(options.rateLimit, trustForwarded);
  const api = sessionsApi({ ...resolved, fetch: options.fetch });
  const log = logSink(options.logger);
  const userOf = options.user;

  /** Method, CSRF, limits and the user: everything decided before the Sessions API is called. */
  async function signedInUser(request: Request, url: URL): Promise<string> {
    if (request.method !== "POST") throw new MethodNotAllowedError(request.method, POST_ONLY);
    csrf?.(request, ownOrigin(request, url, trustForwarded));
    await limiter?.perIp?.(request, undefined);
    let user: string | null;
    try {
      user = await userOf(request);
    } catch (error) {
      // Only the name is kept: the message of a session lookup may quote the cookie.
      throw new InternalError(new Error(`user() threw ${errorName(error)}`));
    }
    if (user === null || user === undefined || user === "") throw new UnauthenticatedError();
    if (typeof user !== "string") {
      throw new InternalError(new TypeError("user() returned something other than a string"));
    }
    await limiter?.perSession?.(user);
    return user;
  }

  /** Mints a session for `user` and remembers it; a session that cannot be remembered is cancelled. */
  async function mint(user: string): Promise<MintedSession> {
    const session = await api.create(user);
    const ttl = Math.max(0, session.expiresAt - nowSeconds()) + refreshGraceSeconds;
    const record = { sessionId: session.id, user, expiresAt: session.expiresAt };
    try {
      await store.set(await sha256Base64url(session.clientSecret), record, Math.ceil(ttl) || 1);
    } catch (error) {
      api.cancel(session.id).catch(() => {});
      throw error instanceof HandoffError ? error : new InternalError(error);
    }
    return session;
  }

  async function start(request: Request, url: URL): Promise<MintedSession> {
    return mint(await signedInUser(request, url));
  }

  /**
   * New session first, then the old one cancelled: a failed mint leaves the user's current
   * secret working, and a failed cancel (logged) still gives them the new one; the old secret
   * then simply runs out at its `expires_at`.
   */
  async function refresh(request: Request, url: URL, report: Reporter): Promise<MintedSession> {
    const user = await signedInUser(request, url);
    const key = await sha256Base64url(await readCurrentSecret(request));
    // With `take`, the binding is claimed atomically: of two concurrent refreshes of one
    // secret (on two instances), one gets it and the other finds nothing.
    const taken = store.take !== undefined;
    const old = taken ? await store.take?.(key) : await store.get(key);
    const now = nowSeconds();
    const putBack = async () => {
      const ttl = (old?.expiresAt ?? 0) + refreshGraceSeconds - now;
      if (taken && old && ttl > 0) await store.set(key, old, Math.ceil(ttl));
    };
    // Unknown, another user's, or expired beyond the grace: one answer for all, so that the
    // endpoint does not tell a caller whether someone else's secret is live.
    if (!old || old.user !== user || old.expiresAt + refreshGraceSeconds <= now) {
      if (old && old.user !== user) await putBack(); // a stranger's attempt must not consume it
      throw new ChatKitSecretMismatchError();
    }
    let fresh: MintedSession;
    try {
      fresh = await mint(user);
    } catch (error) {
      await putBack().catch(() => {}); // the current secret keeps working
      throw error;
    }
    if (!taken) await store.delete(key);
    if (old.expiresAt > now) {
      await api.cancel(old.sessionId).catch((error: unknown) => report.cancelFailed(error));
    }
    return fresh;
  }

  type Operation = (request: Request, url: URL, report: Reporter) => Promise<MintedSession>;

  function handler(operation: Operation, done: string): (request: Request) => Promise<Response> {
    return async (request) => {
      const started = Date.now();
      const requestId = requestIdOf(request.headers);
      let path = "";
      const report = reporter(log, request.method, requestId, started, () => path);
      try {
        const url = new URL(request.url);
        path = url.pathname;
        const session = await operation(request, url, report);
        report.done(200, done);
        return answer(session, requestId);
      } catch (error) {
        const failure = error instanceof HandoffError ? error : new InternalError(error);
        report.failed(failure);
        return failure.toResponse({ requestId });
      }
    };
  }

  return {
    start: handler(start, "ChatKit session started"),
    refresh: handler(refresh, "ChatKit session refreshed"),
  };
}

/** Only what ChatKit needs: never the session object (its `user`, its configuration). */
function answer(session: MintedSession, requestId: string): Response {
  const body = JSON.stringify({
    client_secret: session.clientSecret,
    expires_at: session.expiresAt,
  });
  return new Response(body, {
    status: 200,
    headers: {
      "content-type": "application/json",
      // A client secret is a credential: no cache may keep it (RFC 9111 §5.2.2.5).
      "cache-control": "no-store",
      "x-request-id": requestId,
    },
  });
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
