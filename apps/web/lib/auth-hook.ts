import type { createAuthMiddleware } from "better-auth/api";

/** What Better Auth's `hooks.before` is called with (path, body, headers, `context`). */
export type AuthHookContext = Parameters<Parameters<typeof createAuthMiddleware>[0]>[0];
