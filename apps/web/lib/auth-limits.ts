import { APIError } from "better-auth/api";
import { errors, type HandoffError, isHandoffError, type RateLimitStore } from "handoff-bff";
import type { AuthHookContext } from "./auth-hook";
import { trustedClientAddress } from "./client-address";
import type { AttemptRule, AuthLimitsConfig } from "./config";

/** What an attempt is counted as: Better Auth's `/sign-in/*` or `/sign-up/*`. */
export type AuthAttempt = "sign-in" | "sign-up";

/** Counts sign-in and sign-up attempts; see {@link createAuthLimiter}. */
export interface AuthLimiter {
  /**
   * Counts one attempt for the account (`email`, normalised) and, when one can be trusted, the
   * client's address. Resolves to the refusal (429 `ERR_RATE_LIMITED`) once either limit is
   * used up, else `null`.
   */
  attempt(
    kind: AuthAttempt,
    email: unknown,
    headers: Headers,
  ): Promise<errors.RateLimitedError | null>;
}

/** Options of {@link createAuthLimiter}. */
export interface AuthLimiterOptions {
  readonly limits: AuthLimitsConfig;
  /** `TRUSTED_PROXY_COUNT`: 0 counts no address at all (see lib/client-address.ts). */
  readonly trustedProxyCount: number;
  /**
   * Where counts are kept: Handoff's `RateLimitStore` (`hit(key, windowMs)`), in memory for one
   * process, in Redis with `REDIS_URL` (lib/stores.ts). Keys hold no email: its SHA-256.
   */
  readonly store: RateLimitStore;
}

/**
 * Limits password guessing per account, wherever the guesses come from: an address is cheap
 * to change (and under a bare `next start` the client writes its own `X-Forwarded-For`), the
 * account under attack is not. The per-address limit only counts an address that
 * `TRUSTED_PROXY_COUNT` proxies vouch for. Every attempt counts, the refused ones too, so a
 * correct password during a lockout is refused like any other (OWASP ASVS 2.2.1).
 *
 * @example
 * ```ts
 * const limiter = createAuthLimiter({ limits, trustedProxyCount: 0, store: memoryStore() });
 * const refusal = await limiter.attempt("sign-in", "ada@example.test", request.headers);
 * if (refusal !== null) return refusal.toResponse();
 * ```
 */
export function createAuthLimiter(options: AuthLimiterOptions): AuthLimiter {
  const { limits, trustedProxyCount, store } = options;
  const count = async (kind: AuthAttempt, scope: string, key: string, rule: AttemptRule) => {
    const hit = await store.hit(`auth:${kind}:${scope}:${key}`, rule.windowSeconds * 1000);
    if (hit.count <= rule.limit) return null;
    const retryAfter = Math.max(1, Math.ceil((hit.resetAt - Date.now()) / 1000));
    return new errors.RateLimitedError(
      `${kind}-${scope}`,
      rule.limit,
      rule.windowSeconds,
      retryAfter,
    );
  };
  return {
    async attempt(kind, email, headers) {
      const account = normaliseEmail(email);
      const address = trustedClientAddress(headers, trustedProxyCount);
      const refusals = await Promise.all([
        account === null ? null : count(kind, "account", await sha256(account), limits.perAccount),
        address === null ? null : count(kind, "ip", address, limits.perIp),
      ]);
      const refused = refusals.filter((refusal) => refusal !== null);
      // The longer wait is the one that tells the truth about when to come back.
      return refused.sort((a, b) => retryAfterOf(b) - retryAfterOf(a))[0] ?? null;
    },
  };
}

/**
 * Better Auth's `hooks.before` (composed in lib/auth.ts): counts every `/sign-in/*` and
 * `/sign-up/*` call, from its HTTP endpoints and from `auth.api` (the server actions) alike,
 * before the password is checked. Over a limit it throws 429 with the problem document as body
 * and `Retry-After`; nothing runs, so no session and no cookie. Better Auth answers it as
 * `application/json`; the route relabels it `application/problem+json` (lib/auth-response.ts).
 * When the store cannot count (Redis down, `RATE_LIMIT_FAIL=closed`), 503
 * `ERR_STORE_UNAVAILABLE` the same way: no attempt goes uncounted.
 */
export function limitAuthAttempts(limiter: AuthLimiter) {
  return async (ctx: AuthHookContext): Promise<void> => {
    const kind = attemptOf(ctx.path);
    if (kind === null) return;
    const email = (ctx.body as { email?: unknown } | undefined)?.email;
    let refusal: HandoffError | null;
    try {
      refusal = await limiter.attempt(kind, email, ctx.headers ?? new Headers());
    } catch (error) {
      if (!isHandoffError(error) || error.code !== "ERR_STORE_UNAVAILABLE") throw error;
      refusal = error;
    }
    if (refusal === null) return;
    const response = refusal.toResponse();
    const problem = (await response.json()) as Record<string, unknown>;
    // `message` as well: Better Auth's clients and the server actions read that member.
    throw new APIError(
      response.status === 429 ? "TOO_MANY_REQUESTS" : "SERVICE_UNAVAILABLE",
      { ...problem, message: refusal.message },
      Object.fromEntries(response.headers),
    );
  };
}

/**
 * An email as Better Auth looks accounts up (it lowercases; its validator refuses spaces), or
 * `null` when there is none to count (the endpoint then refuses the request itself).
 */
function normaliseEmail(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const email = value.trim().toLowerCase();
  return email === "" ? null : email;
}

function attemptOf(path: string | undefined): AuthAttempt | null {
  if (path?.startsWith("/sign-in/")) return "sign-in";
  if (path?.startsWith("/sign-up/")) return "sign-up";
  return null;
}

function retryAfterOf(error: errors.RateLimitedError): number {
  return Number(error.headers["retry-after"]);
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Buffer.from(digest).toString("base64url");
}
