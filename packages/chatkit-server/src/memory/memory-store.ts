import { NotFoundError } from "../errors.js";
import { toPage, unknownCursor } from "../lib/page.js";
import type { ChatKitOwner, ChatKitStore, PageOptions } from "../store.js";
import type { Attachment, ThreadItem, ThreadMetadata } from "../types.js";

/** The bounds of a {@link memoryStore}. When one is reached, the oldest entry makes room. */
export interface MemoryStoreOptions {
  /** Threads one owner keeps; saving one more drops their oldest thread. @default 100 */
  maxThreadsPerOwner?: number;
  /** Items one thread keeps; adding one more drops its oldest item. @default 1000 */
  maxItemsPerThread?: number;
  /** Threads kept in all; saving one more drops the oldest thread of anyone. @default 10000 */
  maxThreads?: number;
  /** Attachments kept in all; saving one more drops the oldest. @default 1000 */
  maxAttachments?: number;
}

interface Entry<T> {
  seq: number;
  value: T;
}

interface StoredThread {
  owner: string;
  thread: Entry<ThreadMetadata>;
  items: Map<string, Entry<ThreadItem>>;
}

/**
 * A {@link ChatKitStore} in this process's memory: for development, tests and demos. It forgets
 * everything on restart and is not shared between instances (use `drizzleStore` for that), and
 * it is bounded so that a busy demo cannot grow without limit: past a bound, the oldest thread,
 * item or attachment is dropped (see {@link MemoryStoreOptions}). Values are copied in and out,
 * so a caller changing an object it saved changes nothing stored.
 *
 * @example
 * ```ts
 * const server = createChatKitServer({ store: memoryStore({ maxThreadsPerOwner: 20 }), respond });
 * ```
 */
export function memoryStore(options: MemoryStoreOptions = {}): ChatKitStore {
  const maxThreadsPerOwner = options.maxThreadsPerOwner ?? 100;
  const maxItemsPerThread = options.maxItemsPerThread ?? 1000;
  const maxThreads = options.maxThreads ?? 10_000;
  const maxAttachments = options.maxAttachments ?? 1000;
  // Keyed by owner, then id. Maps iterate in insertion order: the first entry is the oldest.
  const threads = new Map<string, StoredThread>();
  const byOwner = new Map<string, Map<string, StoredThread>>();
  const attachments = new Map<string, Attachment>();
  let seq = 0;

  const ownerKey = (owner: ChatKitOwner) => JSON.stringify([owner.tenantId ?? "", owner.userId]);
  const threadKey = (owner: ChatKitOwner, id: string) => JSON.stringify([ownerKey(owner), id]);
  const find = (owner: ChatKitOwner, id: string) => threads.get(threadKey(owner, id));
  const need = (owner: ChatKitOwner, id: string) => {
    const stored = find(owner, id);
    if (stored === undefined) throw new NotFoundError("No thread with this id.");
    return stored;
  };
  const remove = (key: string) => {
    const stored = threads.get(key);
    if (stored === undefined) return;
    threads.delete(key);
    const mine = byOwner.get(stored.owner);
    mine?.delete(stored.thread.value.id);
    if (mine?.size === 0) byOwner.delete(stored.owner);
  };

  return {
    async loadThread(owner, threadId) {
      return copy(need(owner, threadId).thread.value);
    },

    async saveThread(owner, thread) {
      const existing = find(owner, thread.id);
      if (existing !== undefined) {
        const { created_at } = existing.thread.value;
        existing.thread.value = { ...copy(thread), created_at };
        return;
      }
      const key = threadKey(owner, thread.id);
      const stored: StoredThread = {
        owner: ownerKey(owner),
        thread: { seq: ++seq, value: copy(thread) },
        items: new Map(),
      };
      const mine = byOwner.get(stored.owner) ?? new Map<string, StoredThread>();
      while (mine.size >= maxThreadsPerOwner) {
        const [oldest] = mine.keys();
        if (oldest === undefined) break;
        remove(threadKey(owner, oldest));
      }
      while (threads.size >= maxThreads) {
        const [oldest] = threads.keys();
        if (oldest === undefined) break;
        remove(oldest);
      }
      threads.set(key, stored);
      mine.set(thread.id, stored);
      byOwner.set(stored.owner, mine);
    },

    async loadThreads(owner, options) {
      const mine = [...(byOwner.get(ownerKey(owner))?.values() ?? [])].map((t) => t.thread);
      return listing(mine, options);
    },

    async deleteThread(owner, threadId) {
      remove(threadKey(owner, threadId));
    },

    async loadThreadItems(owner, threadId, options) {
      const stored = find(owner, threadId);
      if (stored === undefined) return { data: [], has_more: false };
      return listing([...stored.items.values()], options);
    },

    async addThreadItem(owner, threadId, item) {
      const { items } = need(owner, threadId);
      items.delete(item.id);
      while (items.size >= maxItemsPerThread) {
        const [oldest] = items.keys();
        if (oldest === undefined) break;
        items.delete(oldest);
      }
      items.set(item.id, { seq: ++seq, value: copy(item) });
    },

    async saveItem(owner, threadId, item) {
      const entry = find(owner, threadId)?.items.get(item.id);
      if (entry === undefined) throw new NotFoundError("No item with this id in the thread.");
      entry.value = copy(item);
    },

    async loadItem(owner, threadId, itemId) {
      const entry = find(owner, threadId)?.items.get(itemId);
      if (entry === undefined) throw new NotFoundError("No item with this id in the thread.");
      return copy(entry.value);
    },

    async deleteThreadItem(owner, threadId, itemId) {
      find(owner, threadId)?.items.delete(itemId);
    },

    async saveAttachment(owner, attachment) {
      const key = threadKey(owner, attachment.id);
      attachments.delete(key);
      while (attachments.size >= maxAttachments) {
        const [oldest] = attachments.keys();
        if (oldest === undefined) break;
        attachments.delete(oldest);
      }
      attachments.set(key, copy(attachment));
    },

    async loadAttachment(owner, attachmentId) {
      const attachment = attachments.get(threadKey(owner, attachmentId));
      if (attachment === undefined) throw new NotFoundError("No attachment with this id.");
      return copy(attachment);
    },

    async deleteAttachment(owner, attachmentId) {
      attachments.delete(threadKey(owner, attachmentId));
    },
  };
}

/** A page of entries ordered by `created_at`, then by insertion. */
function listing<T extends { id: string; created_at: string }>(
  entries: Entry<T>[],
  options: PageOptions,
) {
  const sign = options.order === "asc" ? 1 : -1;
  const sorted = entries.sort(
    (a, b) =>
      sign * (Date.parse(a.value.created_at) - Date.parse(b.value.created_at) || a.seq - b.seq),
  );
  let from = 0;
  if (options.after != null) {
    const anchor = sorted.findIndex((entry) => entry.value.id === options.after);
    if (anchor === -1) throw unknownCursor();
    from = anchor + 1;
  }
  const rows = sorted.slice(from, from + options.limit + 1).map((entry) => copy(entry.value));
  return toPage(rows, options);
}

function copy<T>(value: T): T {
  return structuredClone(value);
}
