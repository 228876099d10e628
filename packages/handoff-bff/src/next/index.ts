export type { NextHandlers } from "./handlers.js";
export { toNextHandlers } from "./handlers.js";
export type { NextOidcHandlers } from "./oidc-handlers.js";
export { toNextOidcHandlers } from "./oidc-handlers.js";
