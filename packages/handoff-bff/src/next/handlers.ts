import type { HandleContext, HandoffProxy } from "../proxy/create-proxy.js";

const NEXT_CONTEXT: HandleContext = { dropsContentEncoding: true };

type RouteHandler = (request: Request) => Promise<Response>;

/** The route handlers of a Next.js App Router `route.ts`, all served by one proxy. */
export interface NextHandlers {
  GET: RouteHandler;
  HEAD: RouteHandler;
  POST: RouteHandler;
  PUT: RouteHandler;
  PATCH: RouteHandler;
  DELETE: RouteHandler;
  OPTIONS: RouteHandler;
}

/**
 * Exposes a proxy as Next.js App Router route handlers. HEAD and OPTIONS are exported too, so
 * Next forwards them instead of answering them itself. Mount it in a catch-all route such as
 * `app/api/proxy/[[...path]]/route.ts` and set `skipTrailingSlashRedirect: true` in
 * `next.config` so that trailing slashes reach the upstream.
 *
 * @example
 * ```ts
 * // app/api/proxy/[[...path]]/route.ts
 * import { toNextHandlers } from "handoff-bff/next";
 * import { proxy } from "@/lib/proxy";
 *
 * export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = toNextHandlers(proxy);
 * ```
 */
export function toNextHandlers(proxy: HandoffProxy): NextHandlers {
  // Next.js drops Content-Encoding and Content-Length from route handler responses
  // (next/dist/server/send-response.js), so compressed upstream bytes must be decoded first.
  const handler: RouteHandler = (request) => proxy.handle(request, NEXT_CONTEXT);
  return {
    GET: handler,
    HEAD: handler,
    POST: handler,
    PUT: handler,
    PATCH: handler,
    DELETE: handler,
    OPTIONS: handler,
  };
}
