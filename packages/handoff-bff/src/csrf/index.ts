export type { CsrfOptions } from "./check.js";
