import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client, Json, TestApi } from "../testing/api.js";
import { startTestApi } from "../testing/api.js";
import { createThread, postChatKit, userInput } from "../testing/chatkit.js";
import { DATABASE_KINDS } from "../testing/db.js";

/** Every request that names a thread, for `threadId` and (where it takes one) `itemId`. */
function threadScoped(threadId: string, itemId: string): [string, Json][] {
  return [
    ["threads.get_by_id", { type: "threads.get_by_id", params: { thread_id: threadId } }],
    [
      "threads.add_user_message",
      {
        type: "threads.add_user_message",
        params: { thread_id: threadId, input: userInput("delete 1") },
      },
    ],
    [
      "threads.add_client_tool_output",
      { type: "threads.add_client_tool_output", params: { thread_id: threadId, result: {} } },
    ],
    [
      "threads.retry_after_item",
      { type: "threads.retry_after_item", params: { thread_id: threadId, item_id: itemId } },
    ],
    [
      "threads.custom_action",
      {
        type: "threads.custom_action",
        params: { thread_id: threadId, item_id: itemId, action: { type: "x" } },
      },
    ],
    ["items.list", { type: "items.list", params: { thread_id: threadId } }],
    [
      "items.feedback",
      {
        type: "items.feedback",
        params: { thread_id: threadId, item_ids: [itemId], kind: "negative" },
      },
    ],
    ["threads.update", { type: "threads.update", params: { thread_id: threadId, title: "Mine" } }],
    ["threads.delete", { type: "threads.delete", params: { thread_id: threadId } }],
  ];
}

describe.each(DATABASE_KINDS)("ChatKit threads belong to their user (%s)", (kind) => {
  let api: TestApi;
  let alice: Client;
  let threadId: string;
  let itemId: string;

  beforeAll(async () => {
    api = await startTestApi(kind);
    alice = await api.as("tenant_a", "alice");
    const created = await createThread(alice, "add secret plan");
    threadId = created.threadId;
    itemId = (created.events.at(-1) as Json).item.id;
  }, 60_000);
  afterAll(() => api?.close());

  /** What an id that never existed is answered, request by request. */
  async function unknownAnswers(client: Client): Promise<Json[]> {
    const answers = [];
    for (const [, body] of threadScoped("thr_00000000000000000000000000000000", itemId)) {
      const response = await postChatKit(client, body);
      const { requestId: _, ...problem } = await response.json();
      answers.push({ status: response.status, ...problem });
    }
    return answers;
  }

  it.each([
    ["another user of the tenant", "tenant_a", "bob"],
    ["a user of another tenant", "tenant_b", "alice"],
  ])(
    "answers %s 404 on every thread-scoped request, exactly as an unknown id",
    async (_who, tenant, user) => {
      const intruder = await api.as(tenant, user);
      const expected = await unknownAnswers(intruder);
      const requests = threadScoped(threadId, itemId);
      for (const [index, [name, body]] of requests.entries()) {
        const response = await postChatKit(intruder, body);
        const { requestId: _, ...problem } = await response.json();
        expect({ name, status: response.status, ...problem }).toEqual({ name, ...expected[index] });
        expect(problem.code, name).toBe("ERR_NOT_FOUND");
      }
      const listed = await postChatKit(intruder, { type: "threads.list", params: {} });
      expect((await listed.json()).data).toEqual([]);
    },
  );

  it("leaves the owner's thread as it was", async () => {
    const response = await postChatKit(alice, {
      type: "threads.get_by_id",
      params: { thread_id: threadId },
    });
    const thread = await response.json();
    expect(thread.title).toBe("add secret plan");
    expect(thread.items.data.map((item: Json) => item.type)).toEqual([
      "user_message",
      "assistant_message",
    ]);
    // bob's "delete 1" never ran: alice's task is still there.
    const tasks = await (await alice("/api/tasks")).json();
    expect(tasks.items.map((task: Json) => task.title)).toEqual(["secret plan"]);
  });

  it.each([
    ["a NUL", "thr_\u0000"],
    ["300 characters", "t".repeat(300)],
    ["an empty string", ""],
  ])("answers a thread id with %s 404, not 500", async (_name, id) => {
    const response = await postChatKit(alice, {
      type: "threads.get_by_id",
      params: { thread_id: id },
    });
    expect(response.status).toBe(404);
  });
});
