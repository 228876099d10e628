import { getSessionFromCtx } from "better-auth/api";
import { makeSignature } from "better-auth/crypto";
import type { AuthHookContext } from "./auth-hook";

/**
 * Drops a session's JWT from every instance's cache: `betterAuthToken(…).revoke`, given the
 * session's request (its cookie) or its session key.
 */
export type RevokeSession = (session: Request | string) => Promise<void>;

/**
 * Better Auth's `hooks.before` for the endpoints that end sessions: `/sign-out` (HTTP and the
 * sign-out server action's `auth.api.signOut`), `/revoke-session`, `/revoke-sessions` and
 * `/revoke-other-sessions`. It runs before the endpoint, while the cookie and the session rows
 * still exist, and revokes their session keys, so that no instance serves a JWT for them from
 * its cache: at once on this instance, within a second on the others (lib/stores.ts). Better
 * Auth then ends the sessions itself. A revocation that cannot be announced (Redis down) is
 * logged, not refused: sign-out must always work, and while Redis is down no instance serves a
 * cached JWT anyway (revocation fails closed).
 *
 * Other ways a session ends (`/change-password` with `revokeOtherSessions`, `/delete-user`,
 * expiry) are not announced: they reach the proxies when the cached JWT is replaced, within
 * `maxCacheSeconds` (60 s, lib/runtime.ts).
 *
 * @example
 * ```ts
 * const revokeEnded = revokeEndedSessions(baseURL, (session) => token.revoke(session));
 * betterAuth({ hooks: { before: createAuthMiddleware(revokeEnded) } });
 * ```
 */
export function revokeEndedSessions(baseURL: string, revoke: RevokeSession) {
  return async (ctx: AuthHookContext): Promise<void> => {
    const keys = await endedBy(ctx, baseURL);
    if (keys.length === 0) return;
    try {
      await Promise.all(keys.map(revoke));
    } catch (error) {
      console.error(`session revocation not announced: ${(error as Error).message}`);
    }
  };
}

/** The sessions the request is about to end: its own request, or other sessions' keys. */
async function endedBy(ctx: AuthHookContext, baseURL: string): Promise<(Request | string)[]> {
  if (ctx.path === "/sign-out") {
    return ctx.headers === undefined ? [] : [new Request(baseURL, { headers: ctx.headers })];
  }
  if (!["/revoke-session", "/revoke-sessions", "/revoke-other-sessions"].includes(ctx.path ?? "")) {
    return [];
  }
  const current = await getSessionFromCtx(ctx).catch(() => null);
  if (current === null) return []; // the endpoint answers 401 itself
  const { internalAdapter, secret } = ctx.context;
  let tokens: string[];
  if (ctx.path === "/revoke-session") {
    const token = (ctx.body as { token?: unknown } | undefined)?.token;
    if (typeof token !== "string" || token === "") return [];
    // Only the user's own session: Better Auth refuses any other, and so does this.
    const found = await internalAdapter.findSession(token);
    tokens = found?.session.userId === current.user.id ? [token] : [];
  } else {
    const sessions = await internalAdapter.listSessions(current.user.id);
    tokens = sessions
      .map((session) => session.token)
      .filter((token) => ctx.path === "/revoke-sessions" || token !== current.session.token);
  }
  return Promise.all(tokens.map((token) => sessionKeyOf(token, secret)));
}

/**
 * The session key `betterAuthToken` gives a session: the base64url SHA-256 of its cookie's
 * value as the browser sends it, which Better Auth (better-call's `signCookieValue`) writes as
 * `encodeURIComponent(token + "." + base64(HMAC-SHA-256(secret, token)))`. A test checks that
 * this agrees with `sessionKey(request)` (lib/cluster.test.ts).
 */
export async function sessionKeyOf(token: string, secret: string): Promise<string> {
  const value = encodeURIComponent(`${token}.${await makeSignature(token, secret)}`);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value));
  return Buffer.from(digest).toString("base64url");
}
