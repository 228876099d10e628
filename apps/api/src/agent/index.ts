export type { Brain } from "./brain.js";
export { createBuiltinBrain } from "./builtin.js";
export { createBrain, readAgentConfig } from "./config.js";
export { DrizzleSessionStore } from "./drizzle-sessions.js";
export { type AgentRoutesDeps, agentRoutes } from "./routes.js";
export { ChatBodySchema, MESSAGE_MAX, SESSION_ID_MAX } from "./schemas.js";
