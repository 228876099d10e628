export type { AuthjsTokenOptions } from "./authjs.js";
export { authjsToken } from "./authjs.js";
export type {
  BetterAuthLike,
  BetterAuthTokenOptions,
  BetterAuthTokenSource,
} from "./better-auth.js";
export { betterAuthToken } from "./better-auth.js";
export { cookieToken } from "./cookie.js";
export type { SessionKey, TokenSource } from "./types.js";
