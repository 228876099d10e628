import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { Logger } from "pino";
import { NotFoundError } from "../errors.js";
import { jsonBody } from "../json-body.js";
import type { AppEnv } from "../middleware.js";
import { EVENT_STREAM_HEADERS } from "../sse.js";
import type { TaskStore } from "../tasks/model.js";
import { validationHook } from "../validation.js";
import type { Brain } from "./brain.js";
import { chatStream } from "./chat.js";
import { SessionBusyError } from "./errors.js";
import { AgentHealthSchema, AgentSessionSchema, ChatBodySchema } from "./schemas.js";
import { type AgentSessionStore, SessionStore } from "./sessions.js";

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
});
const security = [{ bearerAuth: [] }];
const tags = ["agent"];
const unauthorized = problem("No valid bearer token, or no tenant in it (401, 403).");

/** What {@link agentRoutes} needs. */
export interface AgentRoutesDeps {
  store: TaskStore;
  brain: Brain;
  logger: Logger;
  /**
   * Where conversations live: the database (`DrizzleSessionStore`) in the app, so that any
   * instance can continue any conversation.
   * @default a new in-memory {@link SessionStore} with its default bounds
   */
  sessions?: AgentSessionStore;
  /**
   * Silence after which a `: ping` comment is sent, so proxies with idle timeouts keep the
   * stream open (nginx's default `proxy_read_timeout` is 60 s).
   * @default 15_000
   */
  heartbeatMs?: number;
}

/**
 * The task agent, mounted at `/v1/agent` behind `authenticate`: `GET /health`, `POST /session`
 * and `POST /chat`, which answers `text/event-stream` (see docs/api/agent.md). The agent acts
 * on the caller's tasks only through the MCP task tools, scoped to the caller's tenant.
 *
 * @example
 * ```ts
 * app.use("/v1/agent/*", authenticate(verify, logger));
 * app.route("/v1/agent", agentRoutes({ store, brain, logger }));
 * ```
 */
export function agentRoutes(deps: AgentRoutesDeps): OpenAPIHono<AppEnv> {
  const { store, brain, logger, sessions = new SessionStore(), heartbeatMs = 15_000 } = deps;
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.openapi(
    createRoute({
      method: "get",
      path: "/health",
      tags,
      security,
      summary: "Whether the agent can answer, and with which brain",
      responses: {
        200: {
          description: "The brain, and its model when it has one; never a secret.",
          content: { "application/json": { schema: AgentHealthSchema } },
        },
        401: unauthorized,
      },
    }),
    (c) =>
      c.json(
        {
          status: "ok" as const,
          brain: brain.kind,
          ...(brain.model === undefined ? {} : { model: brain.model }),
        },
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/session",
      tags,
      security,
      summary: "Start a conversation",
      responses: {
        201: {
          description: "A session only its creator can use.",
          content: { "application/json": { schema: AgentSessionSchema } },
        },
        401: unauthorized,
      },
    }),
    async (c) => {
      const { tenantId, userId } = c.get("principal");
      const { id, expiresAt } = await sessions.create({ tenantId, userId });
      c.header("cache-control", "no-store");
      return c.json({ sessionId: id, expiresAt: expiresAt.toISOString() }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/chat",
      tags,
      security,
      summary: "Send a message; the answer streams as server-sent events",
      description:
        "Events `session`, `delta`, `tool_call`, `tool_result`, then `done` or `error`; see docs/api/agent.md.",
      middleware: [jsonBody()] as const,
      request: {
        body: { required: true, content: { "application/json": { schema: ChatBodySchema } } },
      },
      responses: {
        200: {
          description: "`text/event-stream`, one JSON object per `data:` line.",
          content: { "text/event-stream": { schema: { type: "string" } } },
        },
        400: problem("The body is not a JSON object (`ERR_BAD_REQUEST`)."),
        401: unauthorized,
        404: problem("Unknown, expired or another user's session (`ERR_NOT_FOUND`)."),
        409: problem("A chat is already streaming on this session (`ERR_SESSION_BUSY`)."),
        413: problem("The body is over 64 KiB (`ERR_PAYLOAD_TOO_LARGE`)."),
        415: problem("The body is not JSON (`ERR_UNSUPPORTED_MEDIA_TYPE`)."),
        422: problem("A field is invalid (`ERR_VALIDATION`); `errors` names each."),
      },
    }),
    async (c) => {
      const { message, sessionId } = c.req.valid("json");
      const principal = c.get("principal");
      const owner = { tenantId: principal.tenantId, userId: principal.userId };
      const session = await sessions.get(
        owner,
        sessionId ? sessionId : (await sessions.create(owner)).id,
      );
      if (session === undefined) {
        // Another user's session answers exactly like an expired or unknown one.
        throw new NotFoundError(
          "No agent session has this id; it may have expired. Start a new one.",
        );
      }
      // Held in whichever store holds the session, so a chat on another instance counts too.
      if (!(await sessions.acquire(session))) throw new SessionBusyError();

      const stream = chatStream({
        store,
        brain,
        sessions,
        session,
        caller: { ...owner, ...(principal.email === undefined ? {} : { email: principal.email }) },
        message,
        logger: logger.child({ requestId: c.get("requestId") }),
        signal: c.req.raw.signal,
        heartbeatMs,
      });
      return new Response(stream, { status: 200, headers: EVENT_STREAM_HEADERS });
    },
  );

  return app;
}
