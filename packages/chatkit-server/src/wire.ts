/**
 * How ChatKit answers look: JSON without `null` members (chatkit-python serialises with
 * `exclude_none=True`), threads as clients get them, hidden items left out.
 */
import type { Page, Thread, ThreadItem, ThreadMetadata } from "./types.js";

/** The item types a client never sees: listings leave them out, streams do not send them. */
export const HIDDEN_ITEM_TYPES: ReadonlySet<ThreadItem["type"]> = new Set([
  "hidden_context_item",
  "sdk_hidden_context",
]);

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
