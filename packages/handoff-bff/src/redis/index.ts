// Shared stores for running several instances: rate limits, revocation, ChatKit bindings, OIDC
// sessions and refresh locks in Redis. Typed by shape (`RedisClientLike`): a connected node-redis v5 client fits, and nothing
// here imports `redis` itself.
export type {
  RedisChatKitSessionStore,
  RedisChatKitSessionStoreOptions,
} from "./chatkit-session-store.js";
export { redisChatKitSessionStore } from "./chatkit-session-store.js";
export type { RedisClientLike, RedisSubscriberLike } from "./client.js";
export type { RedisRateLimitStoreOptions } from "./rate-limit-store.js";
export { redisRateLimitStore } from "./rate-limit-store.js";
export type { RedisRefreshLockOptions } from "./refresh-lock.js";
export { redisRefreshLock } from "./refresh-lock.js";
export type { RedisRevocation, RedisRevocationOptions } from "./revocation.js";
export { redisRevocation } from "./revocation.js";
export type { RedisSessionStoreOptions } from "./session-store.js";
export { redisSessionStore } from "./session-store.js";
