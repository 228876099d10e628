/**
 * The agent's Server-Sent Events. Every event is one `event: <type>` line and one `data: <json>`
 * line, then a blank line (WHATWG HTML, "Server-sent events", §9.2.6). JSON escapes line breaks,
 * so `data` is always one line; src/sse.ts frames it. A stream is `session`, then any number of
 * `delta`, `tool_call` and `tool_result`, then exactly one `done` (success) or `error` (failure).
 */
import { encodeSse, type SseMessage } from "../sse.js";

/** Why the brain stopped: the model finished (`stop`), ran out of tokens (`length`), or used
 * every tool round it is allowed (`tool_limit`). */
export type FinishReason = "stop" | "length" | "content_filter" | "tool_limit";

/** A failure, as the `error` event and a failed `tool_result` carry it. */
export interface AgentError {
  /** Stable, as listed in docs/api/errors.md (`ERR_NOT_FOUND`, `ERR_AGENT_MODEL_AUTH`, …). */
  code: string;
  /** One sentence for people; never internals or secrets. */
  message: string;
}

/** Every event, by `type`, with the JSON its `data` line carries. */
interface AgentEventMap {
  /** First event: the conversation this answer belongs to; send it back to continue. */
  session: { sessionId: string };
  /** The next piece of the answer text, in order. */
  delta: { text: string };
  /** The agent calls a tool. `arguments` is what it passed (the raw text when it was not JSON). */
  tool_call: { id: string; name: string; arguments: unknown };
  /** The tool's outcome; `changed: true` when it modified tasks, so a UI reloads its list. */
  tool_result: {
    id: string;
    name: string;
    ok: boolean;
    result?: Record<string, unknown>;
    error?: AgentError;
    changed: boolean;
  };
  /** Last event on success. */
  done: { sessionId: string; finishReason: FinishReason };
  /** Last event on failure. */
  error: AgentError;
}

type AgentEventType = keyof AgentEventMap;

/** One event: `{ type: "delta", data: { text: "Hi" } }`. */
export type AgentEvent = {
  [T in AgentEventType]: { type: T; data: AgentEventMap[T] };
}[AgentEventType];

/** The events a brain (or its tool box) may send; the route sends the others. */
export type BrainEvent = Extract<AgentEvent, { type: "delta" | "tool_call" | "tool_result" }>;

/**
 * One event as the SSE writer takes it: the type as `event:`, the data as one line of JSON.
 *
 * @example
 * ```ts
 * writer.write(toSseMessage({ type: "delta", data: { text: "Hi" } }));
 * ```
 */
export function toSseMessage(event: AgentEvent): SseMessage {
  return { event: event.type, data: JSON.stringify(event.data) };
}

/**
 * Serializes one event as SSE text.
 *
 * @example
 * ```ts
 * encodeEvent({ type: "delta", data: { text: "Hi" } }); // 'event: delta\ndata: {"text":"Hi"}\n\n'
 * ```
 */
export function encodeEvent(event: AgentEvent): string {
  return encodeSse(toSseMessage(event));
}
