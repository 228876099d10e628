import { InvalidConfigError, RateLimitedError } from "../errors.js";
import { sha256Base64url } from "../lib/sha256.js";
import type { SessionKey } from "../tokens/types.js";
import { addressKey, defaultClientIp } from "./client-ip.js";
import { memoryStore } from "./memory-store.js";
import type { RateLimitHit, RateLimitOptions, RateLimitRule, RateLimitStore } from "./types.js";

/** The checks `createProxy` runs; `null` where no rule is configured. */
export interface RateLimiter {
  /** Counts the request per client address; throws (or rejects) `RateLimitedError`. */
  perIp: ((request: Request, peer: string | undefined) => void | Promise<void>) | null;
  /**
   * Counts the request per session: by the token source's `sessionKey` of `request` when it has
   * one, else by the token (or, for ChatKit, the user id); rejects with `RateLimitedError`.
   */
  perSession: ((token: string, request?: Request) => Promise<void>) | null;
}

interface Rule {
  limit: number;
  windowMs: number;
  windowSeconds: number;
  store: RateLimitStore;
}

/**
 * Validates the `rateLimit` option once, at creation; `null` when it is not set, so that a
 * proxy without limits does no work for them at all.
 */
export function rateLimiter(
  options: RateLimitOptions | undefined,
  trustForwarded: boolean,
  sessionKey?: SessionKey,
): RateLimiter | null {
  if (options === undefined) return null;
  if (typeof options !== "object" || options === null) {
    throw new InvalidConfigError("createProxy: rateLimit must be an object");
  }
  if (options.perIp === undefined && options.perSession === undefined) {
    throw new InvalidConfigError("createProxy: rateLimit needs perIp, perSession or both");
  }
  if (options.store !== undefined && typeof options.store?.hit !== "function") {
    throw new InvalidConfigError("createProxy: rateLimit.store must have a hit() method");
  }
  if (options.clientIp !== undefined && typeof options.clientIp !== "function") {
    throw new InvalidConfigError("createProxy: rateLimit.clientIp must be a function");
  }
  const subnet = options.ipv6Subnet ?? 56;
  if (!Number.isInteger(subnet) || subnet < 1 || subnet > 128) {
    throw new InvalidConfigError("createProxy: rateLimit.ipv6Subnet must be an integer in 1–128");
  }
  const ipRule = rule("perIp", options.perIp, options.store);
  const sessionRule = rule("perSession", options.perSession, options.store);
  const clientIp = options.clientIp;
  const fallbackIp = defaultClientIp(trustForwarded);

  return {
    perIp:
      ipRule &&
      ((request, peer) => {
        let address: string | null | undefined;
        if (clientIp) {
          address = clientIp(request, peer);
          if (address === null || address === undefined || address === "") return; // exempt
        } else {
          address = fallbackIp(request, peer);
          if (address === undefined || address === "") {
            // Fail closed, and on the first request: under Next.js it happens every time, so
            // it shows in development instead of leaving production silently unlimited.
            throw new InvalidConfigError(
              "rateLimit.perIp: the client's address is unknown (Next.js route handlers have no socket address); set rateLimit.clientIp, or trustForwarded behind a reverse proxy that sets X-Forwarded-For",
            );
          }
        }
        return count(ipRule, "ip", `ip:${addressKey(address, subnet)}`);
      }),
    perSession:
      sessionRule &&
      (async (token, request) => {
        // The session key is the same on every instance; the token may not be (each instance
        // of a cluster fetches and caches its own JWT for a session).
        const key = (request && (await sessionKey?.(request))) || (await sha256Base64url(token));
        await count(sessionRule, "session", `session:${key}`);
      }),
  };
}

function rule(
  name: string,
  value: RateLimitRule | undefined,
  store: RateLimitStore | undefined,
): Rule | null {
  if (value === undefined) return null;
  const { limit, windowSeconds } = value ?? {};
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1) {
    throw new InvalidConfigError(`createProxy: rateLimit.${name}.limit must be a positive integer`);
  }
  if (typeof windowSeconds !== "number" || !Number.isFinite(windowSeconds) || windowSeconds <= 0) {
    throw new InvalidConfigError(
      `createProxy: rateLimit.${name}.windowSeconds must be a positive number`,
    );
  }
  // One default store per rule keeps each store's windows of one length, so that its
  // insertion order is also the order in which they end.
  return { limit, windowMs: windowSeconds * 1000, windowSeconds, store: store ?? memoryStore() };
}

function count(rule: Rule, policy: string, key: string): void | Promise<void> {
  const hit = rule.store.hit(key, rule.windowMs);
  if (typeof (hit as Partial<PromiseLike<RateLimitHit>>).then === "function") {
    return Promise.resolve(hit).then((settled) => enforce(rule, policy, settled));
  }
  enforce(rule, policy, hit as RateLimitHit);
}

function enforce(rule: Rule, policy: string, hit: RateLimitHit): void {
  if (hit.count <= rule.limit) return;
  // RFC 9110 §10.2.3: delay-seconds is a whole number; at least 1 so that clients wait at all.
  const retryAfter = Math.max(1, Math.ceil((hit.resetAt - Date.now()) / 1000));
  throw new RateLimitedError(policy, rule.limit, rule.windowSeconds, retryAfter);
}
