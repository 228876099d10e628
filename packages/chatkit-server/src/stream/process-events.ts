import { ChatKitStreamError } from "../errors.js";
import { type ChatKitOwner, type ChatKitStore, generateId } from "../store.js";
import type {
  AssistantMessageItem,
  EventOf,
  ThreadItem,
  ThreadMetadata,
  ThreadStreamEvent,
} from "../types.js";
import { HIDDEN_ITEM_TYPES, toThread } from "../wire.js";
import { type ResponderOutput, withTextMessages } from "./text.js";

/** What {@link processEvents} needs. */
export interface ProcessEventsInput {
  store: ChatKitStore;
  owner: ChatKitOwner;
  /** The thread being answered; a responder may change its title, status or metadata. */
  thread: ThreadMetadata;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  allowCancel: boolean;
  /** Called with an unexpected error before it is answered as `stream.error`. */
  onError: (error: unknown) => void;
  now: () => Date;
}

/**
 * chatkit-python's `_process_events`, the loop every stream runs: announces `stream_options`,
 * turns the responder's strings into an assistant message, relays its events
 * while keeping the store in step (`thread.item.done` adds the item, `.removed` deletes it,
 * `.replaced` saves it), sends `thread.updated` whenever the responder changed the thread, and
 * ends a failed responder with one `error` event. Hidden items are stored, never sent. When the
 * stream is cancelled, the assistant text streamed so far is kept, followed by a hidden note
 * that the user cancelled (chatkit-python's `handle_stream_cancelled`).
 *
 * @example
 * ```ts
 * yield* processEvents({ store, owner, thread, signal, allowCancel: true, onError, now }, () =>
 *   respond({ thread, input, context, signal }),
 * );
 * ```
 */
export async function* processEvents(
  input: ProcessEventsInput,
  events: () => AsyncIterable<ResponderOutput>,
): AsyncGenerator<ThreadStreamEvent> {
  const { store, owner, thread, signal } = input;
  yield { type: "stream_options", stream_options: { allow_cancel: input.allowCancel } };
  let last = snapshot(thread);
  const threadChanged = async (): Promise<ThreadStreamEvent | undefined> => {
    const now = snapshot(thread);
    if (now === last) return undefined;
    last = now;
    await store.saveThread(owner, thread);
    return { type: "thread.updated", thread: toThread(thread) };
  };
  // Items announced with `thread.item.added` and not done yet, as the client last saw them.
  const pending = new Map<string, ThreadItem>();
  let settled = false;
  try {
    try {
      const outputs = withTextMessages(events(), { threadId: thread.id, now: input.now });
      for await (const event of outputs) {
        switch (event.type) {
          case "thread.item.added":
            pending.set(event.item.id, event.item);
            break;
          case "thread.item.done":
            await store.addThreadItem(owner, thread.id, event.item);
            pending.delete(event.item.id);
            break;
          case "thread.item.removed":
            await store.deleteThreadItem(owner, thread.id, event.item_id);
            pending.delete(event.item_id);
            break;
          case "thread.item.replaced":
            await store.saveItem(owner, thread.id, event.item);
            pending.delete(event.item.id);
            break;
          case "thread.item.updated":
            applyUpdate(pending, event);
            break;
        }
        if (!(event.type === "thread.item.done" && HIDDEN_ITEM_TYPES.has(event.item.type))) {
          yield event;
        }
        const updated = await threadChanged();
        if (updated !== undefined) yield updated;
      }
      settled = true;
    } catch (error) {
      if (signal.aborted) throw error;
      settled = true;
      yield errorEvent(error, input.onError);
    }
    const updated = await threadChanged();
    if (updated !== undefined) yield updated;
  } catch (error) {
    if (!signal.aborted) throw error;
  } finally {
    // Not settled: the client went away (abort, or the consumer stopped reading).
    if (!settled) await keepCancelled(input, [...pending.values()]).catch(input.onError);
  }
}

function snapshot(thread: ThreadMetadata): string {
  return JSON.stringify([thread.title ?? null, thread.status, thread.metadata]);
}

function errorEvent(error: unknown, onError: (error: unknown) => void): EventOf<"error"> {
  if (error instanceof ChatKitStreamError) {
    return {
      type: "error",
      code: error.code,
      ...(error.userMessage === undefined ? {} : { message: error.userMessage }),
      allow_retry: error.allowRetry,
    };
  }
  onError(error);
  return { type: "error", code: "stream.error", allow_retry: true };
}

/** Keeps a pending assistant message up to date, so a cancelled stream can store it. */
function applyUpdate(pending: Map<string, ThreadItem>, event: EventOf<"thread.item.updated">) {
  const item = pending.get(event.item_id);
  if (item?.type !== "assistant_message") return;
  const { update } = event;
  if (!update.type.startsWith("assistant_message.") || !("content_index" in update)) return;
  const content = item.content.map((part) => ({ ...part }));
  while (content.length <= update.content_index) {
    content.push({ type: "output_text", text: "", annotations: [] });
  }
  const part = content[update.content_index] as AssistantMessageItem["content"][number];
  if (update.type === "assistant_message.content_part.text_delta") part.text += update.delta;
  if (
    update.type === "assistant_message.content_part.added" ||
    update.type === "assistant_message.content_part.done"
  ) {
    content[update.content_index] = update.content;
  }
  pending.set(item.id, { ...item, content });
}

async function keepCancelled(input: ProcessEventsInput, pending: ThreadItem[]): Promise<void> {
  const { store, owner, thread } = input;
  for (const item of pending) {
    if (item.type === "assistant_message" && item.content.some((part) => part.text.trim())) {
      await store.addThreadItem(owner, thread.id, item);
    }
  }
  // Without it, a model may carry on with the cancelled answer in the next turn.
  await store.addThreadItem(owner, thread.id, {
    type: "sdk_hidden_context",
    id: generateId("hidden_context"),
    thread_id: thread.id,
    created_at: input.now().toISOString(),
    content: "The user cancelled the stream. Stop responding to the prior request.",
  });
}
