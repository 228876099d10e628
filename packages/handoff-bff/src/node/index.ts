export type {
  FrontDoor,
  FrontDoorFallback,
  FrontDoorOptions,
  FrontDoorProxy,
  UpgradeListener,
} from "./front-door.js";
export { createFrontDoor } from "./front-door.js";
export type { NodeListener } from "./listener.js";
export { toNodeListener } from "./listener.js";
export type { NextApp, NextAppOptions, ServeWithNextOptions } from "./serve-with-next.js";
export { serveWithNext } from "./serve-with-next.js";
export type { NodeTransportOptions } from "./transport.js";
export { nodeTransport } from "./transport.js";
