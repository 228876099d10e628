import { generateId } from "../store.js";
import type { AssistantMessageContent, ThreadStreamEvent } from "../types.js";

/** What a responder may yield: protocol events, or text for the assistant's message. */
export type ResponderOutput = ThreadStreamEvent | string;

/**
 * Turns the strings a responder yields into one assistant message, as the web component expects
 * it: the first string opens it (`thread.item.added`, `content_part.added`), each string is a
 * `text_delta`, and it is closed (`content_part.done`, `thread.item.done`) before the next
 * `thread.*` event and at the end. Other events pass through, inside the message or not; empty
 * strings are dropped.
 *
 * @example
 * ```ts
 * yield* withTextMessages(respond(input), { threadId, now });
 * ```
 */
export async function* withTextMessages(
  outputs: AsyncIterable<ResponderOutput>,
  options: { threadId: string; now: () => Date },
): AsyncGenerator<ThreadStreamEvent> {
  let open: { id: string; created_at: string; text: string } | undefined;
  const part = (text: string): AssistantMessageContent => ({
    type: "output_text",
    text,
    annotations: [],
  });
  function* close(): Generator<ThreadStreamEvent> {
    if (open === undefined) return;
    const { id, created_at, text } = open;
    open = undefined;
    yield {
      type: "thread.item.updated",
      item_id: id,
      update: {
        type: "assistant_message.content_part.done",
        content_index: 0,
        content: part(text),
      },
    };
    yield {
      type: "thread.item.done",
      item: {
        type: "assistant_message",
        id,
        thread_id: options.threadId,
        created_at,
        content: [part(text)],
      },
    };
  }
  for await (const output of outputs) {
    if (typeof output !== "string") {
      if (output.type.startsWith("thread.")) yield* close();
      yield output;
      continue;
    }
    if (output === "") continue;
    if (open === undefined) {
      open = { id: generateId("message"), created_at: options.now().toISOString(), text: "" };
      yield {
        type: "thread.item.added",
        item: {
          type: "assistant_message",
          id: open.id,
          thread_id: options.threadId,
          created_at: open.created_at,
          content: [],
        },
      };
      yield {
        type: "thread.item.updated",
        item_id: open.id,
        update: {
          type: "assistant_message.content_part.added",
          content_index: 0,
          content: part(""),
        },
      };
    }
    open.text += output;
    yield {
      type: "thread.item.updated",
      item_id: open.id,
      update: {
        type: "assistant_message.content_part.text_delta",
        content_index: 0,
        delta: output,
      },
    };
  }
  yield* close();
}
