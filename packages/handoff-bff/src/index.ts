import { buildProxy, type HandoffProxy } from "./proxy/create-proxy.js";
import { fetchTransport } from "./proxy/fetch-transport.js";
import type { ProxyOptions } from "./proxy/options.js";

export type { CsrfOptions } from "./csrf/index.js";
/**
 * Every Handoff error class, one per `HandoffErrorCode`, and `errorCode`: a namespace, as in
 * jose, so that the root stays small. The base class and the brand check, which a catch block
 * needs, are exported from the root as well.
 *
 * @example
 * ```ts
 * import { errors } from "handoff-bff";
 *
 * return new errors.RateLimitedError("sign-in", 5, 60, 42).toResponse();
 * ```
 */
export * as errors from "./errors.js";
export { HandoffError, type HandoffErrorCode, isHandoffError } from "./errors.js";
export * from "./proxy/index.js";
export * from "./rate-limit/index.js";
export * from "./revocation/index.js";
export * from "./tokens/index.js";

/**
 * Creates a token-forwarding reverse proxy: `Request` in, `Response` out, in any Fetch-API
 * runtime. On Node.js the package resolves to a build whose default transport is
 * `nodeTransport` (undici's dispatcher); elsewhere requests go through the global `fetch`.
 *
 * @example
 * ```ts
 * import { createProxy, cookieToken } from "handoff-bff";
 *
 * export const proxy = createProxy({
 *   upstream: "http://127.0.0.1:8000",
 *   mount: "/api/proxy",
 *   token: cookieToken("auth_token"),
 * });
 * const response = await proxy.handle(request);
 * ```
 */
export function createProxy(options: ProxyOptions): HandoffProxy {
  return buildProxy(options, () => fetchTransport);
}
