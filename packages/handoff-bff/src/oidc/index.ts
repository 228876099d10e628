export type { Oidc } from "./create-oidc.js";
export { createOidc } from "./create-oidc.js";
export type { OidcOptions } from "./options.js";
export type { OidcTokenSource } from "./token-source.js";
export type { OidcSession, OidcSessionStore, RefreshLock } from "./types.js";
