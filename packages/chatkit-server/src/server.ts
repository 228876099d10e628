import { isChatKitError, MethodNotAllowedError } from "./errors.js";
import { answer } from "./lib/answer.js";
import { readJsonBody } from "./lib/read-body.js";
import { startStream } from "./lib/start-stream.js";
import { isStreamingRequest, parseRequest } from "./requests.js";
import type { ChatKitServer, ChatKitServerOptions, ResolvedOptions } from "./server-types.js";
import type { ChatKitOwner } from "./store.js";
import { eventStreamResponse } from "./stream/sse.js";
import { serialize } from "./wire.js";

/**
 * A ChatKit server (chatkit-python's `ChatKitServer`) on the Fetch API: `handle(request,
 * context)` answers an HTTP request, `process(body, context)` a parsed body. The context says
 * who is asking (from your authentication); every store call is scoped to its `userId` and
 * `tenantId`.
 *
 * @example
 * ```ts
 * const server = createChatKitServer({
 *   store: memoryStore(),
 *   respond: async function* ({ input }) { yield "You said: "; yield messageText(input?.content ?? []); },
 * });
 * export async function POST(request: Request) {
 *   const user = await authenticate(request);
 *   return server.handle(request, { userId: user.id });
 * }
 * ```
 */
export function createChatKitServer<TContext extends ChatKitOwner>(
  options: ChatKitServerOptions<TContext>,
): ChatKitServer<TContext> {
  const resolved: ResolvedOptions<TContext> = {
    allowCancel: true,
    pageSize: 20,
    maxPageSize: 100,
    maxBodyBytes: 64 * 1024,
    onError: () => {},
    now: () => new Date(),
    ...options,
  };

  const server: ChatKitServer<TContext> = {
    async process(body, context, { signal = new AbortController().signal } = {}) {
      const request = parseRequest(body);
      if (isStreamingRequest(request)) {
        return { kind: "stream", events: await startStream(request, resolved, context, signal) };
      }
      return { kind: "json", body: await answer(request, resolved, context) };
    },

    async handle(request, context) {
      // Aborted when the client goes away, whether the request or the response stream notices.
      const abort = new AbortController();
      const stop = () => abort.abort(new Error("The client disconnected."));
      if (request.signal.aborted) stop();
      request.signal.addEventListener("abort", stop, { once: true });
      try {
        if (request.method !== "POST") throw new MethodNotAllowedError();
        const body = await readJsonBody(request, resolved.maxBodyBytes);
        const result = await server.process(body, context, { signal: abort.signal });
        if (result.kind === "stream") return eventStreamResponse(result.events, { onCancel: stop });
        return new Response(serialize(result.body), {
          headers: { "content-type": "application/json", "cache-control": "no-store" },
        });
      } catch (error) {
        if (isChatKitError(error)) return error.toResponse();
        throw error;
      }
    },
  };
  return server;
}
