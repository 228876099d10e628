export type { AuthjsTokenOptions } from "./authjs.js";
export { authjsToken } from "./authjs.js";
export type {
  AuthjsRefreshed,
  AuthjsRefreshInput,
  AuthjsRefreshOptions,
} from "./authjs-refresh.js";
export type {
  BetterAuthLike,
  BetterAuthTokenOptions,
  BetterAuthTokenSource,
} from "./better-auth.js";
export { betterAuthToken } from "./better-auth.js";
export { cookieToken } from "./cookie.js";
export type { SessionKey, TokenResult, TokenSource } from "./types.js";
