import { ChatKitStreamError, ConflictError, NotFoundError } from "../errors.js";
import type { ResolvedOptions } from "../server-types.js";
import { type ChatKitOwner, generateId, ownerOf } from "../store.js";
import { processEvents } from "../stream/process-events.js";
import type {
  StreamingReq,
  ThreadItem,
  ThreadMetadata,
  ThreadStreamEvent,
  UserMessageInput,
  UserMessageItem,
} from "../types.js";
import { toThread } from "../wire.js";

/**
 * Starts a streaming request (chatkit-python `_process_streaming_impl`). Everything that can be
 * refused (an unknown thread, item or attachment, a request that does not fit the thread) is
 * checked and stored before this resolves, so it is answered with a status code; what follows
 * is the stream.
 *
 * @example
 * ```ts
 * const events = await startStream(request, options, { userId }, signal);
 * ```
 */
export async function startStream<C extends ChatKitOwner>(
  request: StreamingReq,
  options: ResolvedOptions<C>,
  context: C,
  signal: AbortSignal,
): Promise<AsyncIterable<ThreadStreamEvent>> {
  const { store } = options;
  const owner = ownerOf(context);
  const now = () => options.now().toISOString();
  const answer = (thread: ThreadMetadata, input: UserMessageItem | null) =>
    processEvents(
      { store, owner, thread, signal, allowCancel: options.allowCancel, now: options.now, onError },
      () => options.respond({ thread, input, context, signal }),
    );
  const onError = (error: unknown) => options.onError(error, context);

  const userMessage = async (
    thread: ThreadMetadata,
    input: UserMessageInput,
  ): Promise<UserMessageItem> => {
    const attachments = [];
    for (const id of input.attachments) attachments.push(await store.loadAttachment(owner, id));
    return {
      type: "user_message",
      id: generateId("message"),
      thread_id: thread.id,
      created_at: now(),
      content: input.content,
      attachments,
      ...(input.quoted_text == null ? {} : { quoted_text: input.quoted_text }),
      inference_options: input.inference_options,
    };
  };

  switch (request.type) {
    case "threads.create": {
      const thread: ThreadMetadata = {
        id: generateId("thread"),
        created_at: now(),
        status: { type: "active" },
        metadata: {},
      };
      const item = await userMessage(thread, request.params.input);
      await store.saveThread(owner, thread);
      await store.addThreadItem(owner, thread.id, item);
      return (async function* () {
        yield { type: "thread.created", thread: toThread(thread) } as const;
        yield { type: "thread.item.done", item } as const;
        yield* answer(thread, item);
      })();
    }
    case "threads.add_user_message": {
      const thread = await store.loadThread(owner, request.params.thread_id);
      const item = await userMessage(thread, request.params.input);
      await store.addThreadItem(owner, thread.id, item);
      return (async function* () {
        yield { type: "thread.item.done", item } as const;
        yield* answer(thread, item);
      })();
    }
    case "threads.add_client_tool_output": {
      const thread = await store.loadThread(owner, request.params.thread_id);
      const [last] = (await store.loadThreadItems(owner, thread.id, { limit: 1, order: "desc" }))
        .data;
      if (last?.type !== "client_tool_call" || last.status !== "pending") {
        throw new ConflictError(
          "The thread's last item is not a pending client tool call, so there is no output to add.",
        );
      }
      await store.saveItem(owner, thread.id, {
        ...last,
        status: "completed",
        output: request.params.result,
      });
      // As chatkit-python: drop any other dangling pending call, which a model must not see.
      const recent = await store.loadThreadItems(owner, thread.id, {
        limit: options.pageSize,
        order: "desc",
      });
      for (const item of recent.data) {
        if (item.type === "client_tool_call" && item.status === "pending") {
          await store.deleteThreadItem(owner, thread.id, item.id);
        }
      }
      return answer(thread, null);
    }
    case "threads.retry_after_item": {
      const { thread_id, item_id } = request.params;
      const thread = await store.loadThread(owner, thread_id);
      const later: ThreadItem[] = [];
      let target: ThreadItem | undefined;
      let after: string | null | undefined;
      do {
        const page = await store.loadThreadItems(owner, thread.id, {
          limit: options.pageSize,
          order: "desc",
          after,
        });
        for (const item of page.data) {
          if (item.id === item_id) {
            target = item;
            break;
          }
          later.push(item);
        }
        after = page.has_more ? page.after : undefined;
      } while (target === undefined && after);
      if (target === undefined) throw new NotFoundError("No item with this id in the thread.");
      if (target.type !== "user_message") {
        throw new ConflictError("Only a user message can be answered again.");
      }
      for (const item of later) await store.deleteThreadItem(owner, thread.id, item.id);
      return answer(thread, target);
    }
    case "threads.custom_action": {
      const { thread_id, item_id, action } = request.params;
      const thread = await store.loadThread(owner, thread_id);
      const sender = item_id ? await store.loadItem(owner, thread.id, item_id) : null;
      if (sender !== null && sender.type !== "widget") {
        // chatkit-python answers this misuse with a lone error event, not retryable.
        return (async function* () {
          yield { type: "error", code: "stream.error", allow_retry: false } as const;
        })();
      }
      const handle = options.action;
      return processEvents(
        {
          store,
          owner,
          thread,
          signal,
          allowCancel: options.allowCancel,
          now: options.now,
          onError,
        },
        () => {
          if (handle === undefined) {
            throw new ChatKitStreamError("custom", {
              message: "This assistant does not handle actions.",
              allowRetry: false,
            });
          }
          return handle({ thread, action, sender, context, signal });
        },
      );
    }
  }
}
