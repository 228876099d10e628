export type {
  Brain,
  BrainCaller,
  BrainInput,
  BrainResult,
  ChatMessage,
  ToolBox,
  ToolCallRecord,
  ToolInfo,
  ToolOutcome,
} from "./brain.js";
export { createBuiltinBrain } from "./builtin.js";
export {
  type AgentBrainConfig,
  type AgentConfig,
  type AgentMemoryConfig,
  createBrain,
  DEFAULT_OPENAI_MODEL,
  readAgentConfig,
} from "./config.js";
export {
  AgentFailedError,
  AgentModelAuthError,
  AgentModelRateLimitedError,
  AgentModelUnavailableError,
  SessionBusyError,
} from "./errors.js";
export {
  type AgentError,
  type AgentEvent,
  type AgentEventMap,
  type AgentEventType,
  encodeEvent,
  type FinishReason,
  toSseMessage,
} from "./events.js";
export { boundToolResult, DEFAULT_TOOL_RESULT_MAX_BYTES, messageBytes } from "./memory.js";
export { createOpenAIBrain, type OpenAIBrainOptions } from "./openai.js";
export { type AgentRoutesDeps, agentRoutes } from "./routes.js";
export { ChatBodySchema, MESSAGE_MAX, SESSION_ID_MAX } from "./schemas.js";
export {
  type AgentSession,
  DEFAULT_MEMORY_MAX_BYTES,
  DEFAULT_SESSION_MAX_BYTES,
  type SessionOwner,
  SessionStore,
  type SessionStoreOptions,
} from "./sessions.js";
export { type OpenToolBox, openToolBox, type ToolBoxOptions } from "./toolbox.js";
