import { describe, expect, it } from "vitest";
import { ChatKitStreamError } from "./errors.js";
import { memoryStore } from "./memory/index.js";
import { createChatKitServer } from "./server.js";
import type { ChatKitResult, ChatKitServerOptions } from "./server-types.js";
import type { ChatKitOwner } from "./store.js";
import type { ThreadStreamEvent } from "./types.js";

// biome-ignore lint/suspicious/noExplicitAny: events are read as loose JSON in assertions.
type Json = any;

const owner: ChatKitOwner = { tenantId: "tenant_a", userId: "alice" };
const input = (text: string) => ({
  content: [{ type: "input_text", text }],
  attachments: [],
  inference_options: {},
});

async function events(result: ChatKitResult): Promise<Json[]> {
  if (result.kind !== "stream") throw new Error(`Expected a stream, got ${JSON.stringify(result)}`);
  const all: ThreadStreamEvent[] = [];
  for await (const event of result.events) all.push(event);
  return all;
}

const types = (all: Json[]) =>
  all.map((event) => (event.item ? `${event.type}:${event.item.type}` : event.type));

describe("the ChatKit server core", () => {
  const shared = memoryStore();
  const serverWith = (options: Partial<ChatKitServerOptions<ChatKitOwner>>) =>
    createChatKitServer<ChatKitOwner>({
      store: shared,
      respond: async function* () {},
      ...options,
    });

  it("orders a new thread's events as chatkit-python: created, user message, options, answer", async () => {
    const server = serverWith({
      respond: async function* ({ thread }) {
        yield { type: "progress_update", text: "Working" };
        yield {
          type: "thread.item.done",
          item: {
            type: "assistant_message",
            id: "msg_answer",
            thread_id: thread.id,
            created_at: new Date().toISOString(),
            content: [{ type: "output_text", text: "Hi", annotations: [] }],
          },
        };
      },
    });
    const all = await events(
      await server.process({ type: "threads.create", params: { input: input("Hello") } }, owner),
    );
    expect(types(all)).toEqual([
      "thread.created",
      "thread.item.done:user_message",
      "stream_options",
      "progress_update",
      "thread.item.done:assistant_message",
    ]);
    const threadId = all[0].thread.id;
    const listed = await server.process(
      { type: "items.list", params: { thread_id: threadId, order: "asc" } },
      owner,
    );
    expect(listed).toMatchObject({
      kind: "json",
      body: { data: [{ type: "user_message" }, { id: "msg_answer" }], has_more: false },
    });
  });

  it("saves and announces a thread the responder changed, after the event that follows", async () => {
    const server = serverWith({
      respond: async function* ({ thread }) {
        thread.title = "Named";
        yield { type: "progress_update", text: "one" };
        thread.metadata.k = "v";
        yield { type: "progress_update", text: "two" };
      },
    });
    const all = await events(
      await server.process({ type: "threads.create", params: { input: input("x") } }, owner),
    );
    expect(types(all).slice(2)).toEqual([
      "stream_options",
      "progress_update",
      "thread.updated",
      "progress_update",
      "thread.updated",
    ]);
    // Metadata is the server's: stored, never sent.
    expect(all.at(-1).thread).toMatchObject({ title: "Named", metadata: {} });
    const store = shared;
    expect(await store.loadThread(owner, all[0].thread.id)).toMatchObject({
      title: "Named",
      metadata: { k: "v" },
    });
  });

  it("stores hidden items without sending them", async () => {
    const server = serverWith({
      respond: async function* ({ thread }) {
        yield {
          type: "thread.item.done",
          item: {
            type: "hidden_context_item",
            id: "hcx_1",
            thread_id: thread.id,
            created_at: new Date().toISOString(),
            content: { note: "for the model" },
          },
        };
      },
    });
    const all = await events(
      await server.process({ type: "threads.create", params: { input: input("x") } }, owner),
    );
    expect(types(all)).toEqual([
      "thread.created",
      "thread.item.done:user_message",
      "stream_options",
    ]);
    const store = shared;
    expect((await store.loadItem(owner, all[0].thread.id, "hcx_1")).type).toBe(
      "hidden_context_item",
    );
  });

  it("ends a failed responder with one error event: its own, or a retryable stream.error", async () => {
    const failures: unknown[] = [];
    const chosen = serverWith({
      respond: async function* () {
        yield { type: "progress_update", text: "…" };
        throw new ChatKitStreamError("custom", { message: "Too busy.", allowRetry: true });
      },
      onError: (error) => failures.push(error),
    });
    const first = await events(
      await chosen.process({ type: "threads.create", params: { input: input("x") } }, owner),
    );
    expect(first.at(-1)).toEqual({
      type: "error",
      code: "custom",
      message: "Too busy.",
      allow_retry: true,
    });
    expect(failures).toEqual([]);

    const broken = serverWith({
      respond: () => {
        throw new Error("SELECT * FROM secrets");
      },
      onError: (error) => failures.push(error),
    });
    const second = await events(
      await broken.process({ type: "threads.create", params: { input: input("x") } }, owner),
    );
    expect(second.at(-1)).toEqual({ type: "error", code: "stream.error", allow_retry: true });
    expect(JSON.stringify(second)).not.toContain("secrets");
    expect(failures).toHaveLength(1);
  });

  it("completes a pending client tool call and answers without a user message", async () => {
    const inputs: unknown[] = [];
    const server = serverWith({
      respond: async function* ({ thread, input: message }) {
        inputs.push(message?.type ?? null);
        if (message !== null) {
          yield {
            type: "thread.item.done",
            item: {
              type: "client_tool_call",
              id: "tc_1",
              thread_id: thread.id,
              created_at: new Date().toISOString(),
              status: "pending",
              call_id: "call_1",
              name: "pick_color",
              arguments: {},
            },
          };
        }
      },
    });
    const created = await events(
      await server.process({ type: "threads.create", params: { input: input("x") } }, owner),
    );
    const threadId = created[0].thread.id;
    const answered = await events(
      await server.process(
        {
          type: "threads.add_client_tool_output",
          params: { thread_id: threadId, result: { color: "red" } },
        },
        owner,
      ),
    );
    expect(types(answered)).toEqual(["stream_options"]);
    expect(inputs).toEqual(["user_message", null]);
    const store = shared;
    expect(await store.loadItem(owner, threadId, "tc_1")).toMatchObject({
      status: "completed",
      output: { color: "red" },
    });
  });

  it("answers an action from a non-widget item with a lone error event", async () => {
    const server = serverWith({});
    const created = await events(
      await server.process({ type: "threads.create", params: { input: input("x") } }, owner),
    );
    const all = await events(
      await server.process(
        {
          type: "threads.custom_action",
          params: {
            thread_id: created[0].thread.id,
            item_id: created[1].item.id,
            action: { type: "x" },
          },
        },
        owner,
      ),
    );
    expect(all).toEqual([{ type: "error", code: "stream.error", allow_retry: false }]);
  });

  it("relays a configured action handler's events", async () => {
    const server = serverWith({
      action: async function* ({ action, sender }) {
        yield {
          type: "notice",
          level: "info",
          message: `${action.type} from ${sender?.id ?? "the client"}`,
        };
      },
    });
    const created = await events(
      await server.process({ type: "threads.create", params: { input: input("x") } }, owner),
    );
    const all = await events(
      await server.process(
        {
          type: "threads.custom_action",
          params: { thread_id: created[0].thread.id, action: { type: "refresh" } },
        },
        owner,
      ),
    );
    expect(all.at(-1)).toEqual({
      type: "notice",
      level: "info",
      message: "refresh from the client",
    });
  });

  it("keeps the text streamed before a cancel, then a hidden note, as chatkit-python does", async () => {
    const abort = new AbortController();
    const server = serverWith({
      respond: async function* ({ thread, signal }) {
        const item = {
          type: "assistant_message" as const,
          id: "msg_partial",
          thread_id: thread.id,
          created_at: new Date().toISOString(),
          content: [],
        };
        yield { type: "thread.item.added", item };
        yield {
          type: "thread.item.updated",
          item_id: item.id,
          update: {
            type: "assistant_message.content_part.text_delta",
            content_index: 0,
            delta: "Hello, ",
          },
        };
        abort.abort();
        signal.throwIfAborted();
      },
    });
    const all = await events(
      await server.process({ type: "threads.create", params: { input: input("x") } }, owner, {
        signal: abort.signal,
      }),
    );
    expect(types(all).at(-1)).toBe("thread.item.updated");
    const store = shared;
    const items = await store.loadThreadItems(owner, all[0].thread.id, { limit: 10, order: "asc" });
    expect(items.data.map((item) => item.type)).toEqual([
      "user_message",
      "assistant_message",
      "sdk_hidden_context",
    ]);
    expect(items.data[1]).toMatchObject({ content: [{ text: "Hello, " }] });
  });

  it("keeps the pending text too when the consumer stops reading", async () => {
    const server = serverWith({
      respond: async function* ({ thread }) {
        const item = {
          type: "assistant_message" as const,
          id: "msg_left",
          thread_id: thread.id,
          created_at: new Date().toISOString(),
          content: [{ type: "output_text" as const, text: "Half", annotations: [] }],
        };
        yield { type: "thread.item.added", item };
        yield { type: "progress_update", text: "never read" };
      },
    });
    const result = await server.process(
      { type: "threads.create", params: { input: input("x") } },
      owner,
    );
    if (result.kind !== "stream") throw new Error("not a stream");
    let threadId = "";
    for await (const event of result.events) {
      if (event.type === "thread.created") threadId = event.thread.id;
      if (event.type === "thread.item.added") break;
    }
    const store = shared;
    expect((await store.loadItem(owner, threadId, "msg_left")).type).toBe("assistant_message");
  });
});
