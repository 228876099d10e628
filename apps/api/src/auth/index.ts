export { type Env, readAuthConfig } from "./config.js";
export { createVerifier, type Principal, type Verifier } from "./verify.js";
