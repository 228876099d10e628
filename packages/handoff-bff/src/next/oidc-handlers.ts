type RouteHandler = (request: Request) => Promise<Response>;

/** The route handlers of a Next.js `route.ts` that serves `createOidc`'s routes. */
export interface NextOidcHandlers {
  GET: RouteHandler;
  HEAD: RouteHandler;
  POST: RouteHandler;
}

/**
 * Exposes `createOidc`'s routes as Next.js App Router route handlers, dispatched by the last
 * path segment (`login`, `callback`, `logout`, `backchannel-logout`, `user`). Mount it in a
 * dynamic route such as `app/auth/[action]/route.ts`; or give each route its own file
 * (`export const GET = oidc.login;` in `app/auth/login/route.ts`).
 *
 * @example
 * ```ts
 * // app/auth/[action]/route.ts
 * import { toNextOidcHandlers } from "handoff-bff/next";
 * import { oidc } from "@/lib/oidc";
 *
 * export const { GET, HEAD, POST } = toNextOidcHandlers(oidc);
 * ```
 */
export function toNextOidcHandlers(oidc: { handle: RouteHandler }): NextOidcHandlers {
  const handler: RouteHandler = (request) => oidc.handle(request);
  return { GET: handler, HEAD: handler, POST: handler };
}
