import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Scope } from "../tasks/model.js";
import {
  type AgentTestApi,
  answerOf,
  readAllEvents,
  readEvents,
  startAgentTestApi,
  type WireEvent,
} from "../testing/agent.js";
import { createBuiltinBrain } from "./builtin.js";

let api: AgentTestApi;
let token: string;
const ada: Scope = { tenantId: "tenant_a", userId: "ada" };

beforeAll(async () => {
  api = await startAgentTestApi(createBuiltinBrain());
  token = await api.token(ada.tenantId, ada.userId);
});
afterAll(() => api?.close());

async function say(message: string, sessionId?: string, as = token) {
  const response = await api.chat(
    as,
    sessionId === undefined ? { message } : { message, sessionId },
  );
  expect(response.status).toBe(200);
  const events = await readAllEvents(response);
  const session = events[0]?.type === "session" ? events[0].data.sessionId : undefined;
  return { response, events, answer: answerOf(events), sessionId: session as string };
}

const types = (events: readonly WireEvent[]) => [...new Set(events.map((event) => event.type))];
const toolEvents = (events: readonly WireEvent[]) =>
  events.filter((event) => event.type === "tool_call" || event.type === "tool_result");

describe("the built-in agent over SSE", () => {
  it("adds a task: session, tool_call, tool_result (changed), deltas, done; the task is stored", async () => {
    const { response, events, answer, sessionId } = await say("add buy milk");
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-cache, no-transform");
    expect(response.headers.get("x-accel-buffering")).toBe("no");
    expect(response.headers.get("x-request-id")).toEqual(expect.any(String));
    expect(types(events)).toEqual(["session", "tool_call", "tool_result", "delta", "done"]);
    const [, call, result] = events;
    expect(call).toEqual({
      type: "tool_call",
      data: { id: expect.any(String), name: "add_task", arguments: { title: "buy milk" } },
    });
    expect(result).toMatchObject({
      type: "tool_result",
      data: {
        id: call?.type === "tool_call" ? call.data.id : "?",
        name: "add_task",
        ok: true,
        changed: true,
        result: { task: { number: 1, title: "buy milk", status: "open" } },
      },
    });
    expect(events.filter((event) => event.type === "delta").length).toBeGreaterThan(2);
    expect(answer).toBe("Added task #1: buy milk.");
    expect(events.at(-1)).toEqual({ type: "done", data: { sessionId, finishReason: "stop" } });
    const [task] = await api.db.store.findByTitle(ada, "buy milk");
    expect(task).toMatchObject({ number: 1, title: "buy milk", status: "open", createdBy: "ada" });
  });

  it("lists the tasks through list_tasks, which changes nothing", async () => {
    await say("Please add task: call the plumber!");
    const { events, answer } = await say("list my tasks");
    expect(toolEvents(events)).toMatchObject([
      { type: "tool_call", data: { name: "list_tasks", arguments: {} } },
      { type: "tool_result", data: { name: "list_tasks", ok: true, changed: false } },
    ]);
    expect(answer).toBe("Your tasks:\n#2 call the plumber\n#1 buy milk");
    expect((await say("what's open?")).answer).toBe(
      "Your open tasks:\n#2 call the plumber\n#1 buy milk",
    );
  });

  it("completes a task named by its title (find_tasks, then complete_task by id)", async () => {
    const { events, answer } = await say("complete Buy Milk");
    const [task] = await api.db.store.findByTitle(ada, "buy milk");
    expect(toolEvents(events)).toMatchObject([
      { type: "tool_call", data: { name: "find_tasks", arguments: { title: "Buy Milk" } } },
      { type: "tool_result", data: { name: "find_tasks", ok: true, changed: false } },
      { type: "tool_call", data: { name: "complete_task", arguments: { id: task?.id } } },
      { type: "tool_result", data: { name: "complete_task", ok: true, changed: true } },
    ]);
    expect(answer).toBe("Completed task #1: buy milk.");
    expect(task?.status).toBe("done");
    expect((await say("show done tasks")).answer).toBe("Your done tasks:\n#1 buy milk");
    expect((await say("reopen 1.")).answer).toBe("Reopened task #1: buy milk.");
    expect((await api.db.store.getByNumber(ada, 1)).status).toBe("open");
    expect((await say("done 1")).answer).toBe("Completed task #1: buy milk.");
  });

  it("renames a task by number", async () => {
    expect((await say("rename 2 to call the electrician")).answer).toBe(
      "Renamed task #2 to “call the electrician”.",
    );
    expect((await api.db.store.getByNumber(ada, 2)).title).toBe("call the electrician");
  });

  it("deletes a task by number: delete 1", async () => {
    const { events, answer } = await say("delete 1");
    expect(toolEvents(events)).toMatchObject([
      { type: "tool_call", data: { name: "delete_task", arguments: { number: 1 } } },
      { type: "tool_result", data: { name: "delete_task", ok: true, changed: true } },
    ]);
    expect(answer).toBe("Deleted task #1: buy milk.");
    await expect(api.db.store.getByNumber(ada, 1)).rejects.toMatchObject({ code: "ERR_NOT_FOUND" });
    const again = await say("delete 1");
    expect(toolEvents(again.events)[1]).toMatchObject({
      data: { ok: false, changed: false, error: { code: "ERR_NOT_FOUND" } },
    });
    expect(again.answer).toBe("There is no task #1.");
  });

  it("says when no task has the title", async () => {
    const { answer, events } = await say("complete walk the dog");
    expect(answer).toBe("I can't find a task called “walk the dog”.");
    expect(toolEvents(events).map((event) => event.data.name)).toEqual([
      "find_tasks",
      "find_tasks",
    ]);
  });

  it("asks for the number when a title names several tasks, and takes the number as the answer", async () => {
    await say("add water plants");
    await say("add water plants");
    const asked = await say("finish water plants");
    expect(asked.answer).toBe(
      "Several tasks are called “water plants”: #4, #3. Which one? Say its number, for example “4”.",
    );
    expect(toolEvents(asked.events).map((event) => event.data.name)).toEqual([
      "find_tasks",
      "find_tasks",
    ]);
    expect((await api.db.store.getByNumber(ada, 3)).status).toBe("open");

    // The session remembers the question: "3" completes #3, not "show task 3".
    const picked = await say("3", asked.sessionId);
    expect(picked.sessionId).toBe(asked.sessionId);
    expect(picked.answer).toBe("Completed task #3: water plants.");
    expect((await api.db.store.getByNumber(ada, 3)).status).toBe("done");
    expect((await api.db.store.getByNumber(ada, 4)).status).toBe("open");
    // In a new session, a bare number only shows the task.
    expect((await say("4")).answer).toBe("Task #4: water plants is open.");
  });

  it("answers help, and a short hint to anything it does not understand, without tools", async () => {
    const help = await say("HELP");
    expect(help.answer).toContain("“add buy milk”");
    expect(toolEvents(help.events)).toEqual([]);
    const unknown = await say("sing me a song");
    expect(unknown.answer).toMatch(/^Sorry, I did not understand that\. Try .*“help”\.$/);
    expect(toolEvents(unknown.events)).toEqual([]);
    expect(unknown.events.at(-1)?.type).toBe("done");
  });

  it("passes the tool's refusal of a bad title on, and stores nothing", async () => {
    const { answer, events } = await say(`add ${"x".repeat(201)}`);
    expect(toolEvents(events)[1]).toMatchObject({
      data: { name: "add_task", ok: false, changed: false, error: { code: "ERR_VALIDATION" } },
    });
    expect(answer).toMatch(/^I could not add that task: .*200 characters/);
    expect((await say("add")).answer).toMatch(/^What should the task be called\?/);
  });
});

describe("the built-in agent's pace", () => {
  it("pauses wordDelayMs after each word, so a reader sees the answer grow", async () => {
    const paced = await startAgentTestApi(createBuiltinBrain({ wordDelayMs: 80 }));
    try {
      const response = await paced.chat(await paced.token("tenant_pace"), { message: "help" });
      const arrivals: number[] = [];
      for await (const event of readEvents(response)) {
        if (event.type === "delta") arrivals.push(performance.now());
      }
      expect(arrivals.length).toBeGreaterThan(5);
      // A lower bound only: each pause is at least the delay, whatever the machine's load.
      const spread = (arrivals.at(-1) as number) - (arrivals[0] as number);
      expect(spread).toBeGreaterThanOrEqual((arrivals.length - 1) * 80 * 0.9);
    } finally {
      await paced.close();
    }
  });
});
