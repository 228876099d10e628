import type { Logger } from "pino";
import { type ApiError, isApiError } from "../errors.js";
import { createSseStream } from "../sse.js";
import type { TaskStore } from "../tasks/model.js";
import type { Brain, BrainCaller, ChatMessage } from "./brain.js";
import { AgentFailedError } from "./errors.js";
import { type AgentEvent, toSseMessage } from "./events.js";
import type { AgentSession, AgentSessionStore } from "./sessions.js";
import { openToolBox } from "./toolbox.js";

/** One chat turn to stream. The session must already be acquired; it is released at the end. */
export interface ChatTurn {
  store: TaskStore;
  brain: Brain;
  sessions: AgentSessionStore;
  session: AgentSession;
  caller: BrainCaller;
  message: string;
  logger: Logger;
  /** Aborted when the client disconnects (the request's signal). */
  signal: AbortSignal;
  /** Silence after which a `: ping` comment is sent. */
  heartbeatMs: number;
}

/**
 * Runs one turn and returns its Server-Sent Events as a byte stream: `session`, the brain's
 * `delta`/`tool_call`/`tool_result` events as they happen, then `done` or `error`. Each event is
 * enqueued as its own chunk the moment it exists, so the server writes it at once. Cancelling
 * the stream or aborting `signal` (the client went away) aborts the brain.
 *
 * @example
 * ```ts
 * return new Response(chatStream(turn), { headers: EVENT_STREAM_HEADERS });
 * ```
 */
export function chatStream(turn: ChatTurn): ReadableStream<Uint8Array> {
  const { store, brain, sessions, session, caller, message, logger, heartbeatMs } = turn;
  const abort = new AbortController();
  const stop = () => abort.abort(new Error("The client disconnected."));

  return createSseStream(
    (writer) => {
      const emit = (event: AgentEvent) => writer.write(toSseMessage(event));
      if (turn.signal.aborted) stop();
      turn.signal.addEventListener("abort", stop, { once: true });

      const started = performance.now();
      /** The turn; resolves to its `done` event, sent once the session is released. */
      const run = async (): Promise<AgentEvent> => {
        emit({ type: "session", data: { sessionId: session.id } });
        const tools = await openToolBox({
          store,
          scope: { tenantId: caller.tenantId, userId: caller.userId },
          emit,
          signal: abort.signal,
          logger,
        });
        try {
          const user: ChatMessage = { role: "user", content: message };
          const result = await brain.run({
            messages: [...session.messages, user],
            tools,
            caller,
            signal: abort.signal,
            emit,
          });
          abort.signal.throwIfAborted();
          await sessions.append(session, [user, ...result.messages]);
          logger.info(
            {
              sessionId: session.id,
              brain: brain.kind,
              finishReason: result.finishReason,
              durationMs: Math.round(performance.now() - started),
            },
            "agent chat",
          );
          return {
            type: "done",
            data: { sessionId: session.id, finishReason: result.finishReason },
          };
        } finally {
          await tools.close();
        }
      };

      const finish = async () => {
        let last: AgentEvent | undefined;
        try {
          last = await run();
        } catch (error) {
          if (abort.signal.aborted) {
            logger.info(
              { sessionId: session.id, brain: brain.kind },
              "agent chat aborted by the client",
            );
          } else {
            const failure: ApiError = isApiError(error) ? error : new AgentFailedError(error);
            logFailure(logger, failure, error, session.id);
            last = { type: "error", data: { code: failure.code, message: failure.message } };
          }
        }
        // Released before the last event: a client may send its next message the moment it
        // reads `done`, possibly to another instance, and must not be told the session is busy.
        await sessions.release(session).catch((error: unknown) => {
          // The lease, if any, lapses on its own.
          logger.warn({ sessionId: session.id, err: error }, "agent session not released");
        });
        if (last !== undefined) emit(last);
        turn.signal.removeEventListener("abort", stop);
        writer.close();
      };
      void finish();
    },
    { heartbeatMs, onCancel: stop },
  );
}

/**
 * Logs a failed turn by code. A provider error is logged by name and status only: its message
 * can quote the API key (OpenAI's 401 does), and its request headers carry it.
 */
function logFailure(logger: Logger, failure: ApiError, error: unknown, sessionId: string): void {
  if (failure !== error) {
    logger.error({ sessionId, code: failure.code, err: error }, "agent chat failed");
    return;
  }
  const cause = failure.cause as { name?: unknown; status?: unknown } | undefined;
  logger.warn(
    { sessionId, code: failure.code, cause: cause && { name: cause.name, status: cause.status } },
    "agent chat failed",
  );
}
