export type { HandleContext, HandoffProxy } from "./create-proxy.js";
export { fetchTransport } from "./fetch-transport.js";
export type { LogEvent, Logger } from "./log.js";
export type { ProxyOptions } from "./options.js";
export type { SetCookiePolicy } from "./response-headers.js";
export type { Transport, UpstreamRequest, UpstreamResponse } from "./transport.js";
export type { WebSocketOptions } from "./websocket-options.js";
