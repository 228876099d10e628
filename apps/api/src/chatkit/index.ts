// The server itself is the `handoff-chatkit` package; re-exported under the names the app uses.
export { type ChatKitStore, REQUEST_TYPES } from "handoff-chatkit";
export { drizzleStore as createDrizzleChatKitStore } from "handoff-chatkit/drizzle";
export { chatkitRoutes } from "./routes.js";
