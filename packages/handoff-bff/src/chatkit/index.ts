// Server only: the browser's helpers are in `handoff-bff/chatkit/client` (./client/), so that a
// "use client" component never pulls the session handlers (and the API key's code) into a bundle.
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
