/**
 * Where a ChatKit server keeps threads, items and attachments: chatkit-python's `Store`, with
 * the request context narrowed to the owner. Every call names the owner first (as `TaskStore`
 * calls name their scope), so there is no way to reach a thread without saying whose it is.
 */
import type { Attachment, Page, ThreadItem, ThreadMetadata } from "./types.js";

/** Who owns a thread: one user of one tenant. Another user's thread does not exist for them. */
export interface ChatKitScope {
  readonly tenantId: string;
  readonly userId: string;
}

/** A page request, as `threads.list` and `items.list` carry it. */
export interface PageOptions {
  /** At least 1. */
  readonly limit: number;
  /** The `after` of the previous page: the id of its last entry. */
  readonly after?: string | null;
  /** `desc` (newest first) or `asc`. */
  readonly order: "asc" | "desc";
}

/**
 * The storage contract. Errors are thrown and matched by `code`:
 * - `ERR_NOT_FOUND` when a thread, item or attachment does not exist for this owner (another
 *   user's is answered exactly alike);
 * - `ERR_VALIDATION` (field `params.after`) for an `after` that names no entry of the listing.
 *
 * @example
 * ```ts
 * const store: ChatKitStore = createDrizzleChatKitStore(database.db);
 * const page = await store.loadThreads(owner, { limit: 20, order: "desc" });
 * ```
 */
export interface ChatKitStore {
  /** @throws `ERR_NOT_FOUND` */
  loadThread(owner: ChatKitScope, threadId: string): Promise<ThreadMetadata>;
  /** Creates the thread or replaces its title, status and metadata (`created_at` stays). */
  saveThread(owner: ChatKitScope, thread: ThreadMetadata): Promise<void>;
  /** Ordered by `created_at`, then by insertion. */
  loadThreads(owner: ChatKitScope, options: PageOptions): Promise<Page<ThreadMetadata>>;
  /** Deletes the thread and its items; nothing happens when there is none. */
  deleteThread(owner: ChatKitScope, threadId: string): Promise<void>;
  /** Ordered by `created_at`, then by insertion; empty for an unknown thread. */
  loadThreadItems(
    owner: ChatKitScope,
    threadId: string,
    options: PageOptions,
  ): Promise<Page<ThreadItem>>;
  /** @throws `ERR_NOT_FOUND` when the thread does not exist */
  addThreadItem(owner: ChatKitScope, threadId: string, item: ThreadItem): Promise<void>;
  /** Replaces a stored item (matched by `item.id`). @throws `ERR_NOT_FOUND` */
  saveItem(owner: ChatKitScope, threadId: string, item: ThreadItem): Promise<void>;
  /** @throws `ERR_NOT_FOUND` */
  loadItem(owner: ChatKitScope, threadId: string, itemId: string): Promise<ThreadItem>;
  /** Nothing happens when there is none. */
  deleteThreadItem(owner: ChatKitScope, threadId: string, itemId: string): Promise<void>;
  saveAttachment(owner: ChatKitScope, attachment: Attachment): Promise<void>;
  /** @throws `ERR_NOT_FOUND` */
  loadAttachment(owner: ChatKitScope, attachmentId: string): Promise<Attachment>;
  /** Nothing happens when there is none. */
  deleteAttachment(owner: ChatKitScope, attachmentId: string): Promise<void>;
}

/** The kinds of id a server generates, with chatkit-python's prefixes. */
export const ID_PREFIXES = {
  thread: "thr",
  message: "msg",
  tool_call: "tc",
  task: "tsk",
  workflow: "wf",
  attachment: "atc",
  hidden_context: "hcx",
} as const;

/**
 * A new id such as `thr_6f1c…` (prefix, then 128 random bits in hex). Longer than
 * chatkit-python's 8 hex digits: ids appear in URLs and logs, and must not collide.
 *
 * @example
 * ```ts
 * generateId("message"); // "msg_0b9e…"
 * ```
 */
export function generateId(kind: keyof typeof ID_PREFIXES): string {
  return `${ID_PREFIXES[kind]}_${crypto.randomUUID().replaceAll("-", "")}`;
}
