export {
  type AgentResponderDeps,
  type ChatKitCaller,
  createAgentResponder,
  GENERATED_TITLE_MAX,
  titleOf,
} from "./agent-responder.js";
export { createDrizzleChatKitStore } from "./drizzle-store.js";
export { AGENT_TURN, toChatMessages } from "./history.js";
export {
  CHATKIT_MESSAGE_MAX,
  CHATKIT_TITLE_MAX,
  isStreamingRequest,
  messageText,
  parseRequest,
  REQUEST_TYPES,
} from "./requests.js";
export { type ChatKitRoutesDeps, chatkitRoutes } from "./routes.js";
export {
  type ActionInput,
  type ChatKitResult,
  type ChatKitServer,
  type ChatKitServerOptions,
  createChatKitServer,
  type RespondInput,
} from "./server.js";
export {
  type ChatKitScope,
  type ChatKitStore,
  generateId,
  ID_PREFIXES,
  type PageOptions,
} from "./store.js";
export { ChatKitStreamError } from "./stream-error.js";
export type * from "./types.js";
export {
  EVENT_STREAM_HEADERS,
  encodeEvent,
  HIDDEN_ITEM_TYPES,
  serialize,
  toEventStream,
  toThread,
} from "./wire.js";
