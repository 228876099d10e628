export type { MemoryStore, MemoryStoreOptions } from "./memory-store.js";
export { memoryStore } from "./memory-store.js";
export type { RateLimitHit, RateLimitOptions, RateLimitRule, RateLimitStore } from "./types.js";
