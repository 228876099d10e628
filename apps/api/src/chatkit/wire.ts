/**
 * How ChatKit answers travel: JSON without `null` members (chatkit-python serialises with
 * `exclude_none=True`), and streams as Server-Sent Events of one `data:` line each.
 */
import type { Page, Thread, ThreadItem, ThreadMetadata, ThreadStreamEvent } from "./types.js";

/** The item types a client never sees: listings leave them out, streams do not send them. */
export const HIDDEN_ITEM_TYPES: ReadonlySet<ThreadItem["type"]> = new Set([
  "hidden_context_item",
  "sdk_hidden_context",
]);

/** Response headers of a ChatKit event stream: the agent's, so both streams travel alike. */
export { EVENT_STREAM_HEADERS } from "../agent/events.js";

/**
 * A thread as clients get it (chatkit-python `_to_thread_response`): hidden items left out, and
 * `metadata` always `{}`, since it is the server's own.
 *
 * @example
 * ```ts
 * toThread(await store.loadThread(owner, id)); // { id, title, created_at, status, metadata: {}, items: { data: [], has_more: false } }
 * ```
 */
export function toThread(
  thread: ThreadMetadata,
  items: Page<ThreadItem> = { data: [], has_more: false },
): Thread {
  return {
    id: thread.id,
    ...(thread.title == null ? {} : { title: thread.title }),
    created_at: thread.created_at,
    status: thread.status,
    metadata: {},
    items: { ...items, data: items.data.filter((item) => !HIDDEN_ITEM_TYPES.has(item.type)) },
  };
}

/**
 * JSON text with every `null` object member left out (array entries stay).
 *
 * @example
 * ```ts
 * serialize({ data: [], has_more: false, after: null }); // '{"data":[],"has_more":false}'
 * ```
 */
export function serialize(value: unknown): string {
  return JSON.stringify(value, (_key, member: unknown) => (member === null ? undefined : member));
}

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
 * return new Response(toEventStream(result.events, { onCancel: () => abort.abort() }), { headers: EVENT_STREAM_HEADERS });
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
