import {
  type ChatKitStore,
  createChatKitServer,
  eventStreamResponse,
  isChatKitError,
  serialize,
} from "handoff-chatkit";
import { Hono } from "hono";
import type { Logger } from "pino";
import type { Brain } from "../agent/brain.js";
import { ApiError, MethodNotAllowedError, NotFoundError, ValidationError } from "../errors.js";
import { jsonBody } from "../json-body.js";
import type { AppEnv } from "../middleware.js";
import type { TaskStore } from "../tasks/model.js";
import { type ChatKitCaller, createAgentResponder } from "./agent-responder.js";

/** What {@link chatkitRoutes} needs. */
export interface ChatKitRoutesDeps {
  /** Where threads and items live; see `drizzleStore` (`handoff-chatkit/drizzle`). */
  store: ChatKitStore;
  /** The tasks the agent acts on (the same store as `/api/tasks`). */
  tasks: TaskStore;
  /** The agent's brain (the same as `/v1/agent/chat`). */
  brain: Brain;
  logger: Logger;
}

/**
 * ChatKit's custom-backend endpoint, mounted at its root (the app mounts it at `/chatkit`
 * behind `authenticate`): the `handoff-chatkit` server with TaskFlow's agent as responder.
 * Threads belong to the caller (`{ tenantId, userId }` from the verified token). The body is
 * guarded as on every JSON route (`jsonBody`), and the package's refusals are answered as this
 * API's problem+json, with the request id; any other method answers 405.
 *
 * @example
 * ```ts
 * app.use("/chatkit", authenticate(verify, logger));
 * app.route("/chatkit", chatkitRoutes({ store: drizzleStore(database.db), tasks, brain, logger }));
 * ```
 */
export function chatkitRoutes(deps: ChatKitRoutesDeps): Hono<AppEnv> {
  const { store, tasks, brain } = deps;
  const app = new Hono<AppEnv>();
  app.post("/", jsonBody(), async (c) => {
    const { tenantId, userId, email } = c.get("principal");
    const caller: ChatKitCaller = { tenantId, userId, ...(email === undefined ? {} : { email }) };
    const logger = deps.logger.child({ requestId: c.get("requestId") });
    const server = createChatKitServer<ChatKitCaller>({
      store,
      respond: createAgentResponder({ brain, tasks, store, logger }),
      addFeedback: ({ threadId, itemIds, kind }) =>
        logger.info({ threadId, itemIds, kind }, "chatkit feedback"),
      onError: (error) => logger.error({ err: error }, "chatkit stream failed"),
    });
    // Aborted when the client goes away, whether the request or the response stream notices.
    const abort = new AbortController();
    const stop = () => abort.abort(new Error("The client disconnected."));
    const request = c.req.raw.signal;
    if (request.aborted) stop();
    request.addEventListener("abort", stop, { once: true });

    let result: Awaited<ReturnType<typeof server.process>>;
    try {
      result = await server.process(await c.req.json(), caller, { signal: abort.signal });
    } catch (error) {
      throw asApiError(error);
    }
    if (result.kind === "stream") return eventStreamResponse(result.events, { onCancel: stop });
    return new Response(serialize(result.body), {
      headers: { "content-type": "application/json", "cache-control": "no-store" },
    });
  });
  app.all("/", () => {
    throw new MethodNotAllowedError(["POST"]);
  });
  return app;
}

/** A refusal of the package as this API's error: the same code, status and words. */
function asApiError(error: unknown): unknown {
  if (!isChatKitError(error)) return error;
  if (error.code === "ERR_VALIDATION") return new ValidationError(error.errors ?? []);
  if (error.code === "ERR_NOT_FOUND") return new NotFoundError(error.message);
  return new ApiError(error.code, error.status, error.title, error.message, {
    cause: error,
    headers: { ...error.headers },
  });
}
