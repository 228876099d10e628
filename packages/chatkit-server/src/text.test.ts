import { describe, expect, it } from "vitest";
import { clientEffect, progress } from "./events.js";
import { memoryStore } from "./memory/index.js";
import { createChatKitServer } from "./server.js";
import type { ResponderOutput, RespondInput } from "./server-types.js";
import type { ThreadStreamEvent } from "./types.js";

const owner = { userId: "alice" };
const input = {
  content: [{ type: "input_text", text: "hi" }],
  attachments: [],
  inference_options: {},
};

async function answer(
  respond: (input: RespondInput<{ userId: string }>) => AsyncIterable<ResponderOutput>,
) {
  const store = memoryStore();
  const server = createChatKitServer({ store, respond });
  const result = await server.process({ type: "threads.create", params: { input } }, owner);
  if (result.kind !== "stream") throw new Error("not a stream");
  const events: ThreadStreamEvent[] = [];
  for await (const event of result.events) events.push(event);
  const threadId = events[0]?.type === "thread.created" ? events[0].thread.id : "";
  const items = await store.loadThreadItems(owner, threadId, { limit: 10, order: "asc" });
  return { events: events.slice(3), items: items.data };
}

const kinds = (events: ThreadStreamEvent[]) =>
  events.map((event) => (event.type === "thread.item.updated" ? event.update.type : event.type));

describe("a responder that yields strings", () => {
  it("streams them as one assistant message: added, part added, deltas, part done, done", async () => {
    const { events, items } = await answer(async function* () {
      yield "Hello, ";
      yield "";
      yield "world.";
    });
    expect(kinds(events)).toEqual([
      "thread.item.added",
      "assistant_message.content_part.added",
      "assistant_message.content_part.text_delta",
      "assistant_message.content_part.text_delta",
      "assistant_message.content_part.done",
      "thread.item.done",
    ]);
    const done = events.at(-1);
    expect(done).toMatchObject({
      type: "thread.item.done",
      item: {
        type: "assistant_message",
        content: [{ type: "output_text", text: "Hello, world.", annotations: [] }],
      },
    });
    expect(items.map((item) => item.type)).toEqual(["user_message", "assistant_message"]);
  });

  it("keeps the message open across progress and effects, and closes it before a thread event", async () => {
    const { events, items } = await answer(async function* ({ thread }) {
      yield "one";
      yield progress("Working", { icon: "search" });
      yield clientEffect("tasks.changed", { id: 1 });
      yield " two";
      yield {
        type: "thread.item.done",
        item: {
          type: "hidden_context_item",
          id: "hcx_1",
          thread_id: thread.id,
          created_at: new Date().toISOString(),
          content: "note",
        },
      };
      yield "three";
    });
    expect(kinds(events)).toEqual([
      "thread.item.added",
      "assistant_message.content_part.added",
      "assistant_message.content_part.text_delta",
      "progress_update",
      "client_effect",
      "assistant_message.content_part.text_delta",
      "assistant_message.content_part.done",
      "thread.item.done",
      // The hidden item is stored, not sent; then a second message.
      "thread.item.added",
      "assistant_message.content_part.added",
      "assistant_message.content_part.text_delta",
      "assistant_message.content_part.done",
      "thread.item.done",
    ]);
    expect(events[3]).toEqual({ type: "progress_update", text: "Working", icon: "search" });
    const texts = items
      .filter((item) => item.type === "assistant_message")
      .map((item) => item.content[0]?.text);
    expect(texts).toEqual(["one two", "three"]);
  });
});
