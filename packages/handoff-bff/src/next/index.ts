export type { NextHandlers } from "./handlers.js";
export { toNextHandlers } from "./handlers.js";
