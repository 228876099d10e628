export type { ChatKitFetchOptions } from "./chatkit-fetch.js";
export { createChatKitFetch } from "./chatkit-fetch.js";
export type { ClientSecretGetterOptions, GetClientSecret } from "./client-secret-getter.js";
export { createClientSecretGetter } from "./client-secret-getter.js";
export { createChatKitSessions } from "./create-chatkit-sessions.js";
export type { MemorySessionStoreOptions } from "./memory-session-store.js";
export { memorySessionStore } from "./memory-session-store.js";
export type {
  ChatKitConfiguration,
  ChatKitExpiresAfter,
  ChatKitRateLimits,
  ChatKitSessionStore,
  ChatKitSessions,
  ChatKitSessionsOptions,
  IssuedChatKitSession,
} from "./types.js";
