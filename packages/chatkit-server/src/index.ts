export * as errors from "./errors.js";
export {
  type ChatKitError,
  type ChatKitErrorCode,
  ChatKitStreamError,
  type FieldError,
  isChatKitError,
} from "./errors.js";
export { clientEffect, errorEvent, notice, progress } from "./events.js";
export { type MemoryStoreOptions, memoryStore } from "./memory/index.js";
export {
  CHATKIT_MESSAGE_MAX,
  CHATKIT_TITLE_MAX,
  isStreamingRequest,
  messageText,
  parseRequest,
  REQUEST_TYPES,
} from "./requests.js";
export { createChatKitServer } from "./server.js";
export type {
  ActionInput,
  ChatKitResult,
  ChatKitServer,
  ChatKitServerOptions,
  ResponderOutput,
  RespondInput,
} from "./server-types.js";
export {
  type ChatKitOwner,
  type ChatKitStore,
  generateId,
  ID_PREFIXES,
  ownerOf,
  type PageOptions,
} from "./store.js";
export {
  EVENT_STREAM_HEADERS,
  encodeEvent,
  eventStreamResponse,
  toEventStream,
} from "./stream/sse.js";
export type * from "./types.js";
export { HIDDEN_ITEM_TYPES, serialize, toThread } from "./wire.js";
