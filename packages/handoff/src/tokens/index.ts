export type { AuthjsTokenOptions } from "./authjs.js";
export { authjsToken } from "./authjs.js";
export { cookieToken } from "./cookie.js";
export type { TokenSource } from "./types.js";
