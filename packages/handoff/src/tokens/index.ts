export { cookieToken } from "./cookie.js";
export type { TokenSource } from "./types.js";
