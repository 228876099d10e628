import { AttachmentsUnsupportedError } from "../errors.js";
import type { ResolvedOptions } from "../server-types.js";
import { type ChatKitOwner, ownerOf } from "../store.js";
import type { NonStreamingReq } from "../types.js";
import { HIDDEN_ITEM_TYPES, toThread } from "../wire.js";

/**
 * Answers a request that is not streamed (chatkit-python `_process_non_streaming`) with the
 * JSON body to send.
 *
 * @example
 * ```ts
 * const body = await answer({ type: "threads.list", params: { order: "desc" }, metadata: {} }, options, context);
 * ```
 */
export async function answer<C extends ChatKitOwner>(
  request: NonStreamingReq,
  options: ResolvedOptions<C>,
  context: C,
): Promise<unknown> {
  const { store } = options;
  const owner = ownerOf(context);
  const limit = (asked: number | null | undefined) =>
    Math.min(asked || options.pageSize, options.maxPageSize);
  switch (request.type) {
    case "threads.get_by_id": {
      const thread = await store.loadThread(owner, request.params.thread_id);
      const items = await store.loadThreadItems(owner, thread.id, {
        limit: options.pageSize,
        order: "asc",
      });
      return toThread(thread, items);
    }
    case "threads.list": {
      const { after, order } = request.params;
      const page = await store.loadThreads(owner, {
        limit: limit(request.params.limit),
        after,
        order,
      });
      return { ...page, data: page.data.map((thread) => toThread(thread)) };
    }
    case "items.list": {
      const { thread_id, after, order } = request.params;
      // Loaded first so that another user's thread is a 404, not an empty page.
      await store.loadThread(owner, thread_id);
      const page = await store.loadThreadItems(owner, thread_id, {
        limit: limit(request.params.limit),
        after,
        order,
      });
      return { ...page, data: page.data.filter((item) => !HIDDEN_ITEM_TYPES.has(item.type)) };
    }
    case "items.feedback": {
      const { thread_id, item_ids, kind } = request.params;
      await store.loadThread(owner, thread_id);
      await options.addFeedback?.({ threadId: thread_id, itemIds: item_ids, kind }, context);
      return {};
    }
    case "attachments.create":
      throw new AttachmentsUnsupportedError();
    case "attachments.delete":
      await store.loadAttachment(owner, request.params.attachment_id);
      await store.deleteAttachment(owner, request.params.attachment_id);
      return {};
    case "threads.update": {
      const thread = await store.loadThread(owner, request.params.thread_id);
      // An empty title clears it: the web component then shows its own placeholder.
      thread.title = request.params.title === "" ? null : request.params.title;
      await store.saveThread(owner, thread);
      return toThread(thread);
    }
    case "threads.delete":
      await store.loadThread(owner, request.params.thread_id);
      await store.deleteThread(owner, request.params.thread_id);
      return {};
  }
}
