/**
 * Connection error codes that mean the request never reached the upstream: answered 502
 * `ERR_UPSTREAM_UNREACHABLE` by every transport (undici's `fetch` puts them in `cause`).
 */
export const UNREACHABLE_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);
