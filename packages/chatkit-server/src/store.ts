/**
 * Where a ChatKit server keeps threads, items and attachments: chatkit-python's `Store`, with
 * the request context narrowed to its owner. Every call names the owner first, so there is no
 * way to reach a thread without saying whose it is.
 */
import type { Attachment, Page, ThreadItem, ThreadMetadata } from "./types.js";

/**
 * Who owns a thread: a user, optionally of a tenant. Another owner's thread does not exist for
 * them. A missing `tenantId` and `""` are the same tenant.
 */
export interface ChatKitOwner {
  readonly userId: string;
  readonly tenantId?: string;
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
 * The storage contract; `describeChatKitStoreContract` (`handoff-chatkit/testing`) checks an
 * implementation against it. Errors are thrown and matched by `code`:
 * - `ERR_NOT_FOUND` (`errors.NotFoundError`) when a thread, item or attachment does not exist
 *   for this owner (another owner's is answered exactly alike);
 * - `ERR_VALIDATION` (`errors.ValidationError`, field `params.after`) for an `after` that names
 *   no entry of the listing.
 *
 * @example
 * ```ts
 * const store: ChatKitStore = memoryStore();
 * const page = await store.loadThreads({ userId: "u1" }, { limit: 20, order: "desc" });
 * ```
 */
export interface ChatKitStore {
  /** @throws `ERR_NOT_FOUND` */
  loadThread(owner: ChatKitOwner, threadId: string): Promise<ThreadMetadata>;
  /** Creates the thread or replaces its title, status and metadata (`created_at` stays). */
  saveThread(owner: ChatKitOwner, thread: ThreadMetadata): Promise<void>;
  /** Ordered by `created_at`, then by insertion. */
  loadThreads(owner: ChatKitOwner, options: PageOptions): Promise<Page<ThreadMetadata>>;
  /** Deletes the thread and its items; nothing happens when there is none. */
  deleteThread(owner: ChatKitOwner, threadId: string): Promise<void>;
  /** Ordered by `created_at`, then by insertion; empty for an unknown thread. */
  loadThreadItems(
    owner: ChatKitOwner,
    threadId: string,
    options: PageOptions,
  ): Promise<Page<ThreadItem>>;
  /** @throws `ERR_NOT_FOUND` when the thread does not exist */
  addThreadItem(owner: ChatKitOwner, threadId: string, item: ThreadItem): Promise<void>;
  /** Replaces a stored item (matched by `item.id`). @throws `ERR_NOT_FOUND` */
  saveItem(owner: ChatKitOwner, threadId: string, item: ThreadItem): Promise<void>;
  /** @throws `ERR_NOT_FOUND` */
  loadItem(owner: ChatKitOwner, threadId: string, itemId: string): Promise<ThreadItem>;
  /** Nothing happens when there is none. */
  deleteThreadItem(owner: ChatKitOwner, threadId: string, itemId: string): Promise<void>;
  saveAttachment(owner: ChatKitOwner, attachment: Attachment): Promise<void>;
  /** @throws `ERR_NOT_FOUND` */
  loadAttachment(owner: ChatKitOwner, attachmentId: string): Promise<Attachment>;
  /** Nothing happens when there is none. */
  deleteAttachment(owner: ChatKitOwner, attachmentId: string): Promise<void>;
}

/**
 * The owner part of a request context: its `userId` and `tenantId` only, so that a store never
 * keys on anything else an app put in the context (an email, a role).
 *
 * @example
 * ```ts
 * ownerOf({ tenantId: "acme", userId: "u1", email: "a@b.c" }); // { tenantId: "acme", userId: "u1" }
 * ```
 */
export function ownerOf(context: ChatKitOwner): ChatKitOwner {
  return context.tenantId === undefined
    ? { userId: context.userId }
    : { tenantId: context.tenantId, userId: context.userId };
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
