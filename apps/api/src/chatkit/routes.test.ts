import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client, Json, TestApi } from "../testing/api.js";
import { startTestApi } from "../testing/api.js";
import {
  createThread,
  eventTypes,
  postChatKit,
  readChatKitEvents,
  userInput,
} from "../testing/chatkit.js";

let api: TestApi;
let alice: Client;

beforeAll(async () => {
  api = await startTestApi("pglite");
  alice = await api.as("tenant_a", "alice");
});
afterAll(() => api?.close());

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe("POST /chatkit, streaming requests", () => {
  it("creates a thread and streams the agent's answer, as chatkit-python orders the events", async () => {
    const response = await postChatKit(alice, {
      type: "threads.create",
      params: { input: userInput("add buy milk") },
      metadata: {},
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    // Nothing on the way may store, compress or buffer the stream.
    expect(response.headers.get("cache-control")).toBe("no-cache, no-transform");
    expect(response.headers.get("x-accel-buffering")).toBe("no");
    expect(response.headers.get("x-request-id")).toBeTruthy();
    const events = await readChatKitEvents(response);
    const deltas = eventTypes(events).filter((type) => type.endsWith("text_delta")).length;
    expect(eventTypes(events)).toEqual([
      "thread.created",
      "thread.item.done:user_message",
      "stream_options",
      // chatkit-python looks for a changed thread after each event of the responder.
      "progress_update",
      "thread.updated",
      "client_effect",
      "thread.item.added:assistant_message",
      "thread.item.updated:assistant_message.content_part.added",
      ...Array(deltas).fill("thread.item.updated:assistant_message.content_part.text_delta"),
      "thread.item.updated:assistant_message.content_part.done",
      "thread.item.done:assistant_message",
    ]);
    expect(deltas).toBeGreaterThan(1);

    const [created, userDone, options, progress, updated, effect, added] = events as Json[];
    const threadId = created.thread.id;
    expect(created.thread).toEqual({
      id: expect.stringMatching(/^thr_[0-9a-f]{32}$/),
      created_at: expect.stringMatching(ISO),
      status: { type: "active" },
      metadata: {},
      items: { data: [], has_more: false },
    });
    expect(userDone.item).toEqual({
      type: "user_message",
      id: expect.stringMatching(/^msg_[0-9a-f]{32}$/),
      thread_id: threadId,
      created_at: expect.stringMatching(ISO),
      content: [{ type: "input_text", text: "add buy milk" }],
      attachments: [],
      inference_options: {},
    });
    expect(options).toEqual({ type: "stream_options", stream_options: { allow_cancel: true } });
    expect(updated.thread).toMatchObject({ id: threadId, title: "add buy milk" });
    expect(progress).toEqual({ type: "progress_update", text: "Adding a task", icon: "plus" });
    expect(effect).toEqual({
      type: "client_effect",
      name: "tasks.changed",
      data: { tool: "add_task" },
    });
    expect(added.item).toEqual({
      type: "assistant_message",
      id: expect.stringMatching(/^msg_/),
      thread_id: threadId,
      created_at: expect.stringMatching(ISO),
      content: [],
    });
    const text = (events as Json[])
      .filter((event) => event.update?.type === "assistant_message.content_part.text_delta")
      .map((event) => {
        expect(event).toMatchObject({ item_id: added.item.id, update: { content_index: 0 } });
        return event.update.delta;
      })
      .join("");
    expect(text).toBe("Added task #1: buy milk.");
    const done = events.at(-1) as Json;
    expect(done.item).toEqual({
      ...added.item,
      content: [{ type: "output_text", text: "Added task #1: buy milk.", annotations: [] }],
    });

    // The agent really acted, through the caller's task tools.
    const tasks = await (await alice("/api/tasks")).json();
    expect(tasks.items.map((task: Json) => task.title)).toContain("buy milk");
  });

  it("continues a thread with its history (a bare number answers the agent's question)", async () => {
    await alice("/api/tasks", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title: "Call mom" }),
    });
    await alice("/api/tasks", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title: "Call mom" }),
    });
    const { threadId, events } = await createThread(alice, "complete call mom");
    expect(answerOf(events)).toMatch(/^Several tasks are called “call mom”/);
    const numbers = [...answerOf(events).matchAll(/#(\d+)/g)].map((match) => match[1]);

    const response = await postChatKit(alice, {
      type: "threads.add_user_message",
      params: { input: userInput(String(numbers[0])), thread_id: threadId },
      metadata: {},
    });
    expect(response.status).toBe(200);
    const next = await readChatKitEvents(response);
    expect(eventTypes(next).slice(0, 2)).toEqual([
      "thread.item.done:user_message",
      "stream_options",
    ]);
    // The title stays the first message's: no thread.updated this time.
    expect(eventTypes(next)).not.toContain("thread.updated");
    expect(answerOf(next)).toBe(`Completed task #${numbers[0]}: Call mom.`);
  });

  it("answers a retried message again, after dropping what followed it", async () => {
    const { threadId, events } = await createThread(alice, "help");
    const user = (events as Json[]).find((event) => event.item?.type === "user_message").item;
    const response = await postChatKit(alice, {
      type: "threads.retry_after_item",
      params: { thread_id: threadId, item_id: user.id },
    });
    expect(response.status).toBe(200);
    const retried = await readChatKitEvents(response);
    expect(eventTypes(retried)[0]).toBe("stream_options");
    expect(eventTypes(retried).at(-1)).toBe("thread.item.done:assistant_message");
    const items = await list(alice, {
      type: "items.list",
      params: { thread_id: threadId, order: "asc" },
    });
    expect(items.data.map((item: Json) => item.type)).toEqual([
      "user_message",
      "assistant_message",
    ]);
    expect(items.data[1].id).toBe((retried.at(-1) as Json).item.id);
  });

  it("refuses a retry after an item that is not a user message (409) or is unknown (404)", async () => {
    const { threadId, events } = await createThread(alice, "help");
    const answer = (events.at(-1) as Json).item;
    const notUser = await postChatKit(alice, {
      type: "threads.retry_after_item",
      params: { thread_id: threadId, item_id: answer.id },
    });
    expect(notUser.status).toBe(409);
    expect((await notUser.json()).code).toBe("ERR_CHATKIT_CONFLICT");
    const unknown = await postChatKit(alice, {
      type: "threads.retry_after_item",
      params: { thread_id: threadId, item_id: "msg_nope" },
    });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).code).toBe("ERR_NOT_FOUND");
  });

  it("answers a client tool output with 409: this agent never calls a client tool", async () => {
    const { threadId } = await createThread(alice, "help");
    const response = await postChatKit(alice, {
      type: "threads.add_client_tool_output",
      params: { thread_id: threadId, result: { ok: true } },
    });
    expect(response.status).toBe(409);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect((await response.json()).code).toBe("ERR_CHATKIT_CONFLICT");
  });

  it("answers a custom action with an error event: this agent defines no actions", async () => {
    const { threadId } = await createThread(alice, "help");
    const response = await postChatKit(alice, {
      type: "threads.custom_action",
      params: { thread_id: threadId, item_id: null, action: { type: "example", payload: {} } },
    });
    expect(response.status).toBe(200);
    expect(await readChatKitEvents(response)).toEqual([
      { type: "stream_options", stream_options: { allow_cancel: true } },
      {
        type: "error",
        code: "custom",
        message: "This assistant does not handle actions.",
        allow_retry: false,
      },
    ]);
  });

  it("aborts the brain when the client goes away, and keeps what was said", async () => {
    const slow = await startTestApi("pglite", { brain: heldBrain() });
    try {
      const bob = await slow.as("tenant_a", "bob");
      const abort = new AbortController();
      const response = await bob("/chatkit", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ type: "threads.create", params: { input: userInput("hello") } }),
        signal: abort.signal,
      });
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      let seen = "";
      while (!seen.includes("text_delta")) {
        const { value } = await reader.read();
        seen += new TextDecoder().decode(value);
      }
      const threadId = JSON.parse(seen.split("\n\n")[0]!.slice(6)).thread.id;
      abort.abort();
      await expect
        .poll(() =>
          slow.logs.records().some((line) => line.msg === "chatkit turn aborted by the client"),
        )
        .toBe(true);
      await expect
        .poll(async () => {
          const items = await list(bob, {
            type: "items.list",
            params: { thread_id: threadId, order: "asc" },
          });
          return items.data.map((item: Json) => item.content?.[0]?.text);
        })
        .toEqual(["hello", "thinking"]);
    } finally {
      await slow.close();
    }
  });
});

describe("POST /chatkit, JSON requests", () => {
  it("lists the caller's threads newest first, a page at a time", async () => {
    const carol = await api.as("tenant_a", "carol");
    for (const text of ["first", "second", "third"]) await createThread(carol, text);
    const first = await list(carol, {
      type: "threads.list",
      params: { limit: 2, order: "desc" },
      metadata: {},
    });
    expect(first.data.map((thread: Json) => thread.title)).toEqual(["third", "second"]);
    expect(first.has_more).toBe(true);
    expect(first.data[0]).toEqual({
      id: expect.stringMatching(/^thr_/),
      title: "third",
      created_at: expect.stringMatching(ISO),
      status: { type: "active" },
      metadata: {},
      items: { data: [], has_more: false },
    });
    const second = await list(carol, {
      type: "threads.list",
      params: { limit: 2, order: "desc", after: first.after },
    });
    expect(second).toEqual({
      data: [expect.objectContaining({ title: "first" })],
      has_more: false,
    });
    const ascending = await list(carol, { type: "threads.list", params: { order: "asc" } });
    expect(ascending.data.map((thread: Json) => thread.title)).toEqual([
      "first",
      "second",
      "third",
    ]);
    // chatkit-python reads `limit or 20`: 0 asks for the default page.
    expect((await list(carol, { type: "threads.list", params: { limit: 0 } })).data).toHaveLength(
      3,
    );
  });

  it("gets a thread with its first items, oldest first, and lists items in either order", async () => {
    const { threadId } = await createThread(alice, "help");
    await readChatKitEvents(
      await postChatKit(alice, {
        type: "threads.add_user_message",
        params: { input: userInput("list my tasks"), thread_id: threadId },
      }),
    );
    const thread = await list(alice, {
      type: "threads.get_by_id",
      params: { thread_id: threadId },
    });
    expect(thread.title).toBe("help");
    expect(thread.items.data.map((item: Json) => item.type)).toEqual([
      "user_message",
      "assistant_message",
      "user_message",
      "assistant_message",
    ]);
    expect(thread.items.has_more).toBe(false);

    const newest = await list(alice, {
      type: "items.list",
      params: { thread_id: threadId, limit: 3 },
    });
    expect(newest.data.map((item: Json) => item.type)).toEqual([
      "assistant_message",
      "user_message",
      "assistant_message",
    ]);
    expect(newest.has_more).toBe(true);
    const rest = await list(alice, {
      type: "items.list",
      params: { thread_id: threadId, limit: 3, order: "desc", after: newest.after },
    });
    expect(rest).toEqual({ data: [thread.items.data[0]], has_more: false });
    // The hidden record of the tool-using turn is stored, never listed.
    expect(JSON.stringify(newest)).not.toContain("hidden_context");
  });

  it("renames a thread, and deletes it with its items", async () => {
    const { threadId } = await createThread(alice, "help");
    const renamed = await list(alice, {
      type: "threads.update",
      params: { thread_id: threadId, title: "  Groceries  " },
    });
    expect(renamed).toMatchObject({ id: threadId, title: "Groceries", metadata: {} });
    expect(
      (await list(alice, { type: "threads.get_by_id", params: { thread_id: threadId } })).title,
    ).toBe("Groceries");

    expect(await list(alice, { type: "threads.delete", params: { thread_id: threadId } })).toEqual(
      {},
    );
    const gone = await postChatKit(alice, {
      type: "threads.get_by_id",
      params: { thread_id: threadId },
    });
    expect(gone.status).toBe(404);
    const items = await postChatKit(alice, { type: "items.list", params: { thread_id: threadId } });
    expect(items.status).toBe(404);
  });

  it("records feedback and answers {}", async () => {
    const { threadId, events } = await createThread(alice, "help");
    const answer = (events.at(-1) as Json).item;
    const feedback = await list(alice, {
      type: "items.feedback",
      params: { thread_id: threadId, item_ids: [answer.id], kind: "positive" },
    });
    expect(feedback).toEqual({});
    expect(api.logs.records()).toContainEqual(
      expect.objectContaining({
        msg: "chatkit feedback",
        threadId,
        itemIds: [answer.id],
        kind: "positive",
      }),
    );
  });

  it("refuses attachments: uploads are not supported", async () => {
    const create = await postChatKit(alice, {
      type: "attachments.create",
      params: { name: "a.png", size: 10, mime_type: "image/png" },
    });
    expect(create.status).toBe(400);
    expect(await create.json()).toMatchObject({
      code: "ERR_CHATKIT_ATTACHMENTS_UNSUPPORTED",
      status: 400,
    });
    const remove = await postChatKit(alice, {
      type: "attachments.delete",
      params: { attachment_id: "atc_1" },
    });
    expect(remove.status).toBe(404);
    const message = await postChatKit(alice, {
      type: "threads.create",
      params: { input: { ...userInput("see attached"), attachments: ["atc_1"] } },
    });
    expect(message.status).toBe(404);
    expect(await list(alice, { type: "threads.list", params: {} })).toMatchObject({
      data: expect.not.arrayContaining([expect.objectContaining({ title: "see attached" })]),
    });
  });
});

describe("POST /chatkit, bad requests", () => {
  it.each([
    ["an unknown type", { type: "threads.explode", params: {} }],
    ["no type", { params: {} }],
    ["a type that is not a string", { type: 7, params: {} }],
  ])("answers %s with 400 ERR_CHATKIT_UNKNOWN_REQUEST", async (_name, body) => {
    const response = await postChatKit(alice, body);
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(await response.json()).toMatchObject({
      code: "ERR_CHATKIT_UNKNOWN_REQUEST",
      detail: expect.stringContaining("threads.create"),
    });
  });

  it.each([
    ["no params", { type: "threads.get_by_id" }, "params", "Required."],
    ["no thread id", { type: "threads.get_by_id", params: {} }, "params.thread_id", "Required."],
    [
      "a numeric thread id",
      { type: "threads.delete", params: { thread_id: 1 } },
      "params.thread_id",
      "Must be a string.",
    ],
    ["no input", { type: "threads.create", params: {} }, "params.input", "Required."],
    [
      "an empty message",
      { type: "threads.create", params: { input: userInput("   ") } },
      "params.input.content",
      "Must contain some text.",
    ],
    [
      "a message too long",
      { type: "threads.create", params: { input: userInput("x".repeat(4001)) } },
      "params.input.content",
      "Must be at most 4000 characters.",
    ],
    [
      "a bad order",
      { type: "threads.list", params: { order: "sideways" } },
      "params.order",
      expect.any(String),
    ],
    [
      "a negative limit",
      { type: "items.list", params: { thread_id: "t", limit: -1 } },
      "params.limit",
      expect.any(String),
    ],
    [
      "an unknown feedback kind",
      { type: "items.feedback", params: { thread_id: "t", item_ids: [], kind: "meh" } },
      "params.kind",
      expect.any(String),
    ],
    [
      "a NUL in a title",
      { type: "threads.update", params: { thread_id: "t", title: "a\u0000b" } },
      "params.title",
      "Must not contain NUL.",
    ],
  ])("answers %s with 422 naming the field", async (_name, body, field, message) => {
    const response = await postChatKit(alice, body);
    expect(response.status).toBe(422);
    const problem = await response.json();
    expect(problem).toMatchObject({ code: "ERR_VALIDATION", errors: [{ field, message }] });
  });

  it("answers a cursor from nowhere with 422", async () => {
    const response = await postChatKit(alice, {
      type: "threads.list",
      params: { after: "thr_nope" },
    });
    expect(response.status).toBe(422);
    expect((await response.json()).errors).toEqual([
      { field: "params.after", message: expect.any(String) },
    ]);
  });

  it("answers malformed JSON with 400, another media type with 415, GET with 405", async () => {
    const malformed = await postChatKit(alice, "{ not json");
    expect([malformed.status, (await malformed.json()).code]).toEqual([400, "ERR_BAD_REQUEST"]);
    const array = await postChatKit(alice, "[]");
    expect([array.status, (await array.json()).code]).toEqual([400, "ERR_BAD_REQUEST"]);
    const form = await alice("/chatkit", { method: "POST", body: "type=threads.list" });
    expect([form.status, (await form.json()).code]).toEqual([415, "ERR_UNSUPPORTED_MEDIA_TYPE"]);
    const get = await alice("/chatkit");
    expect([get.status, get.headers.get("allow")]).toEqual([405, "POST"]);
  });

  it("answers 401 without a token, before reading the body", async () => {
    const response = await postChatKit(api.anonymous, { type: "threads.list", params: {} });
    expect(response.status).toBe(401);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect((await response.json()).code).toBe("ERR_TOKEN_MISSING");
  });
});

/** Posts a JSON request and returns its body, failing on anything but 200. */
async function list(client: Client, body: unknown): Promise<Json> {
  const response = await postChatKit(client, body);
  expect(response.status, await response.clone().text()).toBe(200);
  expect(response.headers.get("content-type")).toBe("application/json");
  expect(response.headers.get("cache-control")).toBe("no-store");
  return response.json();
}

function answerOf(events: readonly unknown[]): string {
  return (events as Json[])
    .filter((event) => event.update?.type === "assistant_message.content_part.text_delta")
    .map((event) => event.update.delta)
    .join("");
}

/** A brain that says "thinking", then waits until it is aborted. */
function heldBrain() {
  return {
    kind: "builtin" as const,
    async run({
      signal,
      emit,
    }: {
      signal: AbortSignal;
      emit: (event: { type: "delta"; data: { text: string } }) => void;
    }) {
      emit({ type: "delta", data: { text: "thinking" } });
      await new Promise((_resolve, reject) => {
        signal.addEventListener("abort", () => reject(signal.reason), { once: true });
      });
      return { finishReason: "stop" as const, messages: [] };
    },
  };
}
