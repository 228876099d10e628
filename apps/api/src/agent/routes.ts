import { Hono } from "hono";
import type { Logger } from "pino";
import { z } from "zod";
import { NotFoundError, SessionBusyError, ValidationError } from "../errors.js";
import { jsonBody } from "../json-body.js";
import type { AppEnv } from "../middleware.js";
import type { TaskStore } from "../tasks/model.js";
import { fieldErrors } from "../validation.js";
import type { Brain } from "./brain.js";
import { chatStream } from "./chat.js";
import { EVENT_STREAM_HEADERS } from "./events.js";
import { SessionStore } from "./sessions.js";

/** The longest chat message, in characters. */
export const MESSAGE_MAX = 4000;

/** What {@link agentRoutes} needs. */
export interface AgentRoutesDeps {
  store: TaskStore;
  brain: Brain;
  logger: Logger;
  /** Where conversations live. @default a new {@link SessionStore} with its default bounds */
  sessions?: SessionStore;
  /**
   * Silence after which a `: ping` comment is sent, so proxies with idle timeouts keep the
   * stream open (nginx's default `proxy_read_timeout` is 60 s).
   * @default 15_000
   */
  heartbeatMs?: number;
}

/** `POST /chat`. Unknown fields are refused, as on the REST API: a typo must not go unnoticed. */
const ChatBody = z.strictObject({
  message: z
    .string({ error: (issue) => (issue.input === undefined ? "Required." : "Must be a string.") })
    .trim()
    .min(1, "Must not be empty.")
    .max(MESSAGE_MAX, `Must be at most ${MESSAGE_MAX} characters.`),
  sessionId: z.string({ error: "Must be a string." }).max(128, "Is not a session id.").nullish(),
});

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
export function agentRoutes(deps: AgentRoutesDeps): Hono<AppEnv> {
  const { store, brain, logger, sessions = new SessionStore(), heartbeatMs = 15_000 } = deps;
  const app = new Hono<AppEnv>();

  app.get("/health", (c) =>
    c.json({
      status: "ok",
      brain: brain.kind,
      ...(brain.model === undefined ? {} : { model: brain.model }),
    }),
  );

  app.post("/session", (c) => {
    const { tenantId, userId } = c.get("principal");
    const { id, expiresAt } = sessions.create({ tenantId, userId });
    c.header("cache-control", "no-store");
    return c.json({ sessionId: id, expiresAt: expiresAt.toISOString() }, 201);
  });

  app.post("/chat", jsonBody(), async (c) => {
    const parsed = ChatBody.safeParse(await c.req.json());
    if (!parsed.success) {
      throw new ValidationError(fieldErrors(parsed.error));
    }
    const { message, sessionId } = parsed.data;
    const principal = c.get("principal");
    const owner = { tenantId: principal.tenantId, userId: principal.userId };
    const session = sessionId
      ? sessions.get(owner, sessionId)
      : sessions.get(owner, sessions.create(owner).id);
    if (session === undefined) {
      // Another user's session answers exactly like an expired or unknown one.
      throw new NotFoundError(
        "No agent session has this id; it may have expired. Start a new one.",
      );
    }
    if (!sessions.acquire(session)) throw new SessionBusyError();

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
  });

  return app;
}
