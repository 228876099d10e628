import type { BetterAuthRateLimitOptions } from "better-auth";
import {
  memoryRevocation,
  memoryStore,
  type RateLimitStore,
  type RevocationStore,
} from "handoff-bff";
import { type ChatKitSessionStore, memorySessionStore } from "handoff-bff/chatkit";
import { redisChatKitSessionStore, redisRateLimitStore, redisRevocation } from "handoff-bff/redis";
import type { RedisConfig } from "./config";
import type { RedisConnections } from "./redis";

/** Better Auth's `rateLimit.customStorage`: one atomic `consume` per request. */
type BetterAuthRateLimitStorage = NonNullable<BetterAuthRateLimitOptions["customStorage"]>;

/**
 * Every piece of state the app keeps outside its database. In memory for one process; in Redis
 * (`REDIS_URL`) when several instances must agree: a rate limit counted on one instance, a
 * sign-out heard on all, a ChatKit secret started on one and refreshed on another.
 */
export interface Stores {
  /** `/api/proxy`, `/api/agent` and `/api/chatkit` together (lib/handoff.ts). */
  readonly proxy: RateLimitStore;
  /** ChatKit flow 1's `/api/chatkit/start` and `/refresh` (20 per session per minute). */
  readonly chatkitLimits: RateLimitStore;
  /** Sign-in and sign-up attempts (lib/auth-limits.ts), and Better Auth's own limiter. */
  readonly auth: RateLimitStore;
  /** Revoked sessions, for `betterAuthToken`'s JWT cache. */
  readonly revocation: RevocationStore;
  /** ChatKit flow 1's secret-to-session bindings (lib/chatkit.ts). */
  readonly chatkit: ChatKitSessionStore;
}

/**
 * One process: everything in memory, as `next start` alone needs.
 *
 * @example
 * ```ts
 * const stores = memoryStores();
 * ```
 */
export function memoryStores(): Stores {
  return {
    proxy: memoryStore({ maxKeys: 100_000 }),
    chatkitLimits: memoryStore({ maxKeys: 100_000 }),
    auth: memoryStore({ maxKeys: 100_000 }),
    revocation: memoryRevocation(),
    chatkit: memorySessionStore(),
  };
}

/** Keys of this app, apart from the API's or another app's on the same Redis. */
const PREFIX = "taskflow-web:";

/**
 * Several instances: everything in Redis (`handoff-bff/redis`), over the connections the
 * composition root opened. Resolves once the revocation channel is subscribed.
 *
 * @example
 * ```ts
 * const stores = await redisStores(await connectRedis(url), config.redis);
 * ```
 */
export async function redisStores(
  { client, subscriber }: RedisConnections,
  config: RedisConfig,
): Promise<Stores> {
  const limits = (name: string) =>
    redisRateLimitStore({
      client,
      prefix: `${PREFIX}rl:${name}:`,
      onError: config.rateLimitFail,
      onOutage: (error) =>
        console.error(
          `rate limits (${name}): Redis does not answer (${error.message}); ` +
            (config.rateLimitFail === "open" ? "requests pass uncounted" : "requests get 503"),
        ),
    });
  return {
    proxy: limits("proxy"),
    chatkitLimits: limits("chatkit"),
    auth: limits("auth"),
    revocation: await redisRevocation({ client, subscriber, prefix: PREFIX }),
    chatkit: redisChatKitSessionStore({ client, prefix: `${PREFIX}chatkit:` }),
  };
}

/**
 * Better Auth's own limiter (its endpoints other than sign-in and sign-up) on a Handoff store,
 * so that it counts across instances too. Better Auth's `secondaryStorage` would do this as
 * well, but it also moves sessions and verification values into Redis (see README, "Shared
 * state"); this touches the limiter only. A store that fails closed throws
 * `ERR_STORE_UNAVAILABLE`, which the auth route answers 503 (app/api/auth).
 *
 * @example
 * ```ts
 * betterAuth({ rateLimit: { customStorage: betterAuthLimiterStorage(stores.auth) } });
 * ```
 */
export function betterAuthLimiterStorage(store: RateLimitStore): BetterAuthRateLimitStorage {
  return {
    async consume(key, rule) {
      const hit = await store.hit(`better-auth:${key}`, rule.window * 1000);
      if (hit.count <= rule.max) return { allowed: true, retryAfter: null };
      return {
        allowed: false,
        retryAfter: Math.max(1, Math.ceil((hit.resetAt - Date.now()) / 1000)),
      };
    },
  };
}
