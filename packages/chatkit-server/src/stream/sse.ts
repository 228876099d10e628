/**
 * The bytes of a ChatKit stream: Server-Sent Events of one `data:` line each, as chatkit-python
 * writes them, and the `Response` that carries them. The only place events become bytes.
 */
import type { ThreadStreamEvent } from "../types.js";
import { serialize } from "../wire.js";

/** Response headers of a ChatKit event stream. */
export const EVENT_STREAM_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/event-stream; charset=utf-8",
  // no-cache: never reused without asking (RFC 9111 §5.2.2.4); no-transform: intermediaries
  // must not alter the content (§5.2.2.6), which compression middleware honours.
  "cache-control": "no-cache, no-transform",
  // Tells nginx not to buffer the stream, so each event reaches the client as it is produced.
  "x-accel-buffering": "no",
};

/**
 * One event as Server-Sent Events text: a single `data:` line (JSON escapes line breaks) and a
 * blank line (WHATWG HTML, "Server-sent events", §9.2.6), exactly as chatkit-python writes it.
 *
 * @example
 * ```ts
 * encodeEvent({ type: "progress_update", text: "Adding a task" }); // 'data: {"type":"progress_update","text":"Adding a task"}\n\n'
 * ```
 */
export function encodeEvent(event: ThreadStreamEvent): string {
  return `data: ${serialize(event)}\n\n`;
}

/**
 * The events as a byte stream, one chunk per event, pulled as the client reads. Cancelling it
 * (the client went away) calls `onCancel` and stops the events.
 *
 * @example
 * ```ts
 * new Response(toEventStream(result.events, { onCancel: () => abort.abort() }), { headers: EVENT_STREAM_HEADERS });
 * ```
 */
export function toEventStream(
  events: AsyncIterable<ThreadStreamEvent>,
  options: { onCancel?: () => void } = {},
): ReadableStream<Uint8Array> {
  const iterator = events[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(encodeEvent(next.value)));
    },
    cancel() {
      options.onCancel?.();
      // Not awaited: a pending `next()` settles first, once the abort has reached the responder.
      iterator.return?.().catch(() => {});
    },
  });
}

/**
 * A `200 text/event-stream` response carrying the events.
 *
 * @example
 * ```ts
 * if (result.kind === "stream") return eventStreamResponse(result.events, { onCancel: stop });
 * ```
 */
export function eventStreamResponse(
  events: AsyncIterable<ThreadStreamEvent>,
  options: { onCancel?: () => void } = {},
): Response {
  return new Response(toEventStream(events, options), { headers: EVENT_STREAM_HEADERS });
}
