import { memoryStore, type RateLimitStore } from "handoff-bff";

// Kept on globalThis and so per process: Next may load a module once per route bundle, and
// one count per limit is the point.
const STORES = Symbol.for("taskflow.web.rate-limit-stores");
const shared = globalThis as { [STORES]?: { proxy: RateLimitStore; auth: RateLimitStore } };
shared[STORES] ??= {
  proxy: memoryStore({ maxKeys: 100_000 }),
  auth: memoryStore({ maxKeys: 100_000 }),
};

/**
 * The app's rate-limit counts, in memory today. Both are Handoff's `RateLimitStore`
 * (`hit(key, windowMs)`), so a shared store (Redis) replaces them here, and only here, once the
 * app runs as several instances.
 */
export const stores: { readonly proxy: RateLimitStore; readonly auth: RateLimitStore } =
  shared[STORES];
