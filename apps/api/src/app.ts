import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import type { Logger } from "pino";
import { type AgentRoutesDeps, agentRoutes, type Brain } from "./agent/index.js";
import type { Verifier } from "./auth/index.js";
import { type ChatKitStore, chatkitRoutes } from "./chatkit/index.js";
import {
  BadRequestError,
  InternalError,
  isApiError,
  NotFoundError,
  NotReadyError,
} from "./errors.js";
import { mcpRoutes } from "./mcp/index.js";
import { type AppEnv, authenticate, privateAnswers, requestId, requestLog } from "./middleware.js";
import { serveOpenApiDocument } from "./openapi.js";
import type { Readiness } from "./readiness.js";
import type { TaskFeed } from "./tasks/live/feed.js";
import { taskEventRoutes, taskSocketRoutes } from "./tasks/live/routes.js";
import type { TaskStore } from "./tasks/model.js";
import { taskRoutes } from "./tasks/routes.js";
import { validationHook } from "./validation.js";

export type { AppEnv } from "./middleware.js";

/** What the app needs from the outside world. */
export interface AppOptions {
  /** Checks the `Authorization` header; see `createVerifier`. */
  verify: Verifier;
  /** Where request lines and errors go; see `createLogger`. */
  logger: Logger;
  /** Where tasks live; see `openDatabase`. */
  store: TaskStore;
  /** What answers `/v1/agent/chat`; see `createBrain`. */
  brain: Brain;
  /** Agent tuning: the session store and the heartbeat interval (defaults suit production). */
  agent?: Pick<AgentRoutesDeps, "sessions" | "heartbeatMs">;
  /**
   * Where ChatKit threads live; see `createDrizzleChatKitStore`. Without it, `/chatkit` is not
   * served (404).
   */
  chatkit?: ChatKitStore;
  /**
   * The live task changes of `GET /api/tasks/events` (SSE) and `GET /api/tasks/live`
   * (WebSocket, with `startServer`); see `createTaskFeed`. Without it neither is served (404).
   */
  feed?: TaskFeed;
  /**
   * What `GET /ready` answers; see `createReadiness`. Without it the app is ready whenever it
   * serves, which suits a test without a database.
   */
  readiness?: Readiness;
}

/**
 * Creates the TaskFlow API as a Hono app: a `(Request) => Response` that any runtime adapter
 * serves. `GET /health` (liveness), `GET /ready` (readiness) and `GET /openapi.json` are public; `/api/*` (tasks), `/v1/agent/*`
 * (the agent's SSE chat), `/mcp` (the MCP server) and `/chatkit` (the ChatKit server) need a
 * valid bearer token; their answers are `Cache-Control: private, no-cache` unless they say
 * otherwise (event streams: `no-cache, no-transform`). Every error, including unknown routes,
 * validation failures and unexpected exceptions, answers RFC 9457 problem+json, `no-store`.
 *
 * @example
 * ```ts
 * const { store, db } = await openDatabase(readDatabaseConfig(process.env));
 * const verify = createVerifier(readAuthConfig(process.env));
 * const brain = createBrain(readAgentConfig(process.env));
 * const app = createApp({ verify, logger, store, brain, chatkit: createDrizzleChatKitStore(db), feed });
 * const response = await app.fetch(new Request("http://api.test/health"));
 * ```
 */
export function createApp({
  verify,
  logger,
  store,
  brain,
  agent,
  chatkit,
  feed,
  readiness,
}: AppOptions): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.use(requestId(), requestLog(logger));
  const guard = [privateAnswers(), authenticate(verify, logger)] as const;
  app.use("/api/*", ...guard);
  app.use("/v1/agent/*", ...guard);
  // Hono's "/x/*" also matches "/x" itself.
  app.use("/mcp/*", ...guard);
  app.use("/chatkit/*", ...guard);

  app.openapi(
    createRoute({
      method: "get",
      path: "/health",
      tags: ["service"],
      summary: "Liveness, without authentication",
      responses: {
        200: {
          description: "The process serves requests.",
          content: { "application/json": { schema: z.object({ status: z.literal("ok") }) } },
        },
      },
    }),
    (c) => c.json({ status: "ok" as const }, 200),
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/ready",
      tags: ["service"],
      summary: "Readiness for a load balancer, without authentication",
      description:
        "200 while the instance takes requests: not shutting down, and its database answered a ping within 1 s. 503 `ERR_NOT_READY` otherwise, from the first moment of a graceful shutdown.",
      responses: {
        200: {
          description: "Send requests here.",
          content: { "application/json": { schema: z.object({ status: z.literal("ready") }) } },
        },
        503: {
          description: "Draining or without its database (`ERR_NOT_READY`); the reason is logged.",
          content: {
            "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } },
          },
        },
      },
    }),
    async (c) => {
      const state = readiness === undefined ? { ready: true as const } : await readiness.check();
      if (!state.ready) {
        if (state.reason === "database") {
          // The error's name and code only: a driver's message can name the host it tried.
          const error = state.error as { name?: unknown; code?: unknown } | undefined;
          logger.warn(
            { requestId: c.get("requestId"), cause: { name: error?.name, code: error?.code } },
            "not ready: the database did not answer",
          );
        }
        throw new NotReadyError();
      }
      // A balancer must ask again each time, never be answered from a cache.
      c.header("cache-control", "no-store");
      return c.json({ status: "ready" as const }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/me",
      tags: ["service"],
      security: [{ bearerAuth: [] }],
      summary: "Who the bearer token names",
      responses: {
        200: {
          description: "The caller.",
          content: {
            "application/json": {
              schema: z.object({
                userId: z.string(),
                tenantId: z.string(),
                email: z.string().optional(),
              }),
            },
          },
        },
      },
    }),
    (c) => {
      const { userId, tenantId, email } = c.get("principal");
      return c.json({ userId, tenantId, ...(email === undefined ? {} : { email }) }, 200);
    },
  );
  // Before the tasks routes, whose `GET /{id}` would take "events" or "live" for an id.
  if (feed !== undefined) {
    app.route("/api/tasks/events", taskEventRoutes({ feed }));
    app.route("/api/tasks/live", taskSocketRoutes({ feed }));
  }
  app.route("/api/tasks", taskRoutes({ store }));
  app.route("/v1/agent", agentRoutes({ ...agent, store, brain, logger }));
  app.route("/mcp", mcpRoutes({ store, logger }));
  if (chatkit !== undefined) {
    app.route("/chatkit", chatkitRoutes({ store: chatkit, tasks: store, brain, logger }));
  }

  serveOpenApiDocument(app);

  app.notFound((c) => new NotFoundError().toResponse({ requestId: c.get("requestId") }));
  app.onError((error, c) => {
    const requestId = c.get("requestId");
    if (isApiError(error)) return error.toResponse({ requestId });
    // Hono's own 400s (a malformed body it parsed itself) keep their status, as problem+json.
    if (error instanceof HTTPException && error.status === 400) {
      return new BadRequestError(error.message).toResponse({ requestId });
    }
    // The message stays in the log: it may hold internals a client must not see.
    logger.error({ requestId, err: error }, "unhandled error");
    return new InternalError(error).toResponse({ requestId });
  });
  return app;
}
