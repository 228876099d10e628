export {
  ACCEPTABLE_ALGORITHMS,
  type AuthAlgorithm,
  type AuthConfig,
  type Env,
  readAuthConfig,
} from "./config.js";
export { bearerToken } from "./header.js";
export { createKeySet, type KeySetOptions } from "./jwks.js";
export { createVerifier, type Principal, type Verifier, type VerifierOptions } from "./verify.js";
