import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../middleware.js";
import { EVENT_STREAM_HEADERS } from "../../sse.js";
import { validationHook } from "../../validation.js";
import type { WebSocketUpgrade } from "../../websocket.js";
import { UpgradeRequiredError } from "../errors.js";
import { ProblemSchema } from "../schemas.js";
import type { TaskFeed } from "./feed.js";
import { createTaskSocket } from "./socket.js";

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ProblemSchema } },
});

/**
 * `GET /api/tasks/events`: the caller's tenant's task changes as server-sent events (see
 * docs/api/tasks.md, "Live changes"). Mount it before the tasks routes, whose `/{id}` would
 * otherwise take `events` for an id.
 *
 * @example
 * ```ts
 * app.route("/api/tasks/events", taskEventRoutes({ feed }));
 * app.route("/api/tasks", taskRoutes({ store }));
 * ```
 */
export function taskEventRoutes({ feed }: { feed: TaskFeed }): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["tasks"],
      security: [{ bearerAuth: [] }],
      summary: "Follow the tenant's task changes as server-sent events",
      description:
        "Events `ready`, `task.created`, `task.updated`, `task.deleted` (`{ id, etag }`) and `resync` (reload the list); each `id` is the tenant's change sequence number, sent back as `Last-Event-ID` to resume. See docs/api/tasks.md.",
      request: {
        headers: z.object({
          "last-event-id": z
            .string()
            .optional()
            .openapi({
              param: { name: "last-event-id", in: "header" },
              description: "The last `id` received: the stream resumes after it.",
            }),
        }),
      },
      responses: {
        200: {
          description: "`text/event-stream`; a `: ping` comment after 15 s of silence.",
          content: { "text/event-stream": { schema: { type: "string" } } },
        },
        401: problem("No valid bearer token (`ERR_TOKEN_MISSING`, `ERR_TOKEN_INVALID`)."),
        403: problem("The token names no tenant (`ERR_TENANT_MISSING`)."),
        429: problem("Too many open streams for the user or tenant (`ERR_TOO_MANY_STREAMS`)."),
        503: problem("Signing keys unavailable, or the instance is shutting down."),
      },
    }),
    (c) => {
      const { tenantId, userId } = c.get("principal");
      const body = feed.open({ tenantId, userId }, c.req.valid("header")["last-event-id"]);
      return new Response(body, { status: 200, headers: EVENT_STREAM_HEADERS });
    },
  );
  return app;
}

/**
 * `GET /api/tasks/live`: the same feed over a WebSocket (see docs/api/tasks.md, "Live changes
 * over a WebSocket"). Authenticated by the `/api/*` middleware like any route, so a refused
 * upgrade is the same problem+json; the socket comes from the server's upgrade handling
 * (src/websocket.ts) through `c.env.upgrade`. Mount it before the tasks routes.
 *
 * @example
 * ```ts
 * app.route("/api/tasks/live", taskSocketRoutes({ feed }));
 * ```
 */
export function taskSocketRoutes({ feed }: { feed: TaskFeed }): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["tasks"],
      security: [{ bearerAuth: [] }],
      summary: "Follow the tenant's task changes over a WebSocket",
      description:
        'Text frames `{"type":"ready","seq":N}`, `{"type":"task.created"|"task.updated"|"task.deleted","id","etag","seq"}` and `{"type":"resync","reason","seq"}`; close codes 1001 (drain), 1008 (limits), 1011 (internal), 4401 (token expired). See docs/api/tasks.md.',
      request: {
        query: z.object({
          after: z.string().optional().openapi({
            description: "The last `seq` received: the feed resumes after it.",
          }),
        }),
      },
      responses: {
        101: { description: "Switching Protocols: the WebSocket (RFC 6455)." },
        401: problem("No valid bearer token (`ERR_TOKEN_MISSING`, `ERR_TOKEN_INVALID`)."),
        403: problem("The token names no tenant (`ERR_TENANT_MISSING`)."),
        426: problem("A plain request, not a WebSocket handshake (`ERR_UPGRADE_REQUIRED`)."),
        429: problem("Too many open streams for the user or tenant (`ERR_TOO_MANY_STREAMS`)."),
        503: problem("Signing keys unavailable, or the instance is shutting down."),
      },
    }),
    (c) => {
      const upgrade = (c.env as { upgrade?: WebSocketUpgrade } | undefined)?.upgrade;
      if (upgrade === undefined) throw new UpgradeRequiredError();
      const { tenantId, userId, claims } = c.get("principal");
      // The verifier requires `exp`, so every token has one.
      const socket = createTaskSocket({ expiresAt: (claims.exp ?? 0) * 1000 });
      // Subscribed now, so that the limits and a drain refuse the handshake with their status.
      const subscription = feed.subscribe(
        { tenantId, userId },
        socket.sink,
        c.req.valid("query").after,
      );
      upgrade.accept((ws) => socket.attach(ws, subscription.cancel), subscription.cancel);
      // Never sent: the server answers the handshake instead (a Response cannot be 101).
      return c.body(null, 200);
    },
  );
  return app;
}
