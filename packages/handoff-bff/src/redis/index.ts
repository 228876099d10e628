// Shared stores for running several instances: rate limits, revocation and ChatKit bindings in
// Redis. Typed by shape (`RedisClientLike`): a connected node-redis v5 client fits, and nothing
// here imports `redis` itself.
export type {
  RedisChatKitSessionStore,
  RedisChatKitSessionStoreOptions,
} from "./chatkit-session-store.js";
export { redisChatKitSessionStore } from "./chatkit-session-store.js";
export type { RedisClientLike, RedisSubscriberLike } from "./client.js";
export type { RedisRateLimitStoreOptions } from "./rate-limit-store.js";
export { redisRateLimitStore } from "./rate-limit-store.js";
export type { RedisRevocation, RedisRevocationOptions } from "./revocation.js";
export { redisRevocation } from "./revocation.js";
