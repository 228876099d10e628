// The server itself is the `handoff-chatkit` package; re-exported under the names the app uses.
export { type ChatKitStore, REQUEST_TYPES } from "handoff-chatkit";
export { drizzleStore as createDrizzleChatKitStore } from "handoff-chatkit/drizzle";
export {
  type AgentResponderDeps,
  type ChatKitCaller,
  createAgentResponder,
  GENERATED_TITLE_MAX,
  titleOf,
} from "./agent-responder.js";
export { AGENT_TURN, toChatMessages } from "./history.js";
export { type ChatKitRoutesDeps, chatkitRoutes } from "./routes.js";
