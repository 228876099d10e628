export { toNodeListener } from "./listener.js";
export type { NodeTransportOptions } from "./transport.js";
export { nodeTransport } from "./transport.js";
