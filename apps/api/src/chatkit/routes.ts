import { Hono } from "hono";
import type { Logger } from "pino";
import type { Brain } from "../agent/brain.js";
import { MethodNotAllowedError } from "../errors.js";
import { jsonBody } from "../json-body.js";
import type { AppEnv } from "../middleware.js";
import type { TaskStore } from "../tasks/model.js";
import { type ChatKitCaller, createAgentResponder } from "./agent-responder.js";
import { createChatKitServer } from "./server.js";
import type { ChatKitStore } from "./store.js";
import { EVENT_STREAM_HEADERS, serialize, toEventStream } from "./wire.js";

/** What {@link chatkitRoutes} needs. */
export interface ChatKitRoutesDeps {
  /** Where threads and items live; see `createDrizzleChatKitStore`. */
  store: ChatKitStore;
  /** The tasks the agent acts on (the same store as `/api/tasks`). */
  tasks: TaskStore;
  /** The agent's brain (the same as `/v1/agent/chat`). */
  brain: Brain;
  logger: Logger;
}

/**
 * ChatKit's custom-backend endpoint, mounted at its root (the app mounts it at `/chatkit`
 * behind `authenticate`): `POST` a ChatKit request, get JSON or `text/event-stream` back (see
 * docs/api/chatkit.md). Threads belong to the caller; the agent answers. Refusals are
 * problem+json; any other method answers 405.
 *
 * @example
 * ```ts
 * app.use("/chatkit", authenticate(verify, logger));
 * app.route("/chatkit", chatkitRoutes({ store: createDrizzleChatKitStore(database.db), tasks, brain, logger }));
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

    const result = await server.process(await c.req.json(), caller, { signal: abort.signal });
    if (result.kind === "json") {
      return new Response(serialize(result.body), {
        headers: { "content-type": "application/json", "cache-control": "no-store" },
      });
    }
    return new Response(toEventStream(result.events, { onCancel: stop }), {
      headers: EVENT_STREAM_HEADERS,
    });
  });
  app.all("/", () => {
    throw new MethodNotAllowedError(["POST"]);
  });
  return app;
}
