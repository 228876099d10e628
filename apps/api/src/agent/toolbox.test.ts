import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../database.js";
import { createLogger } from "../log.js";
import type { Scope, TaskStore } from "../tasks/model.js";
import { openTestDatabase } from "../testing/db.js";
import { captureLogs } from "../testing/logs.js";
import type { BrainEvent } from "./events.js";
import { openToolBox } from "./toolbox.js";

let database: Database;
const scope: Scope = { tenantId: "tenant_a", userId: "ada" };

beforeAll(async () => {
  database = await openTestDatabase("pglite");
});
afterAll(() => database?.close());

async function box(store: TaskStore = database.store) {
  const events: BrainEvent[] = [];
  const logs = captureLogs();
  const tools = await openToolBox({
    store,
    scope,
    emit: (event) => events.push(event),
    logger: createLogger({ destination: logs.destination }),
  });
  return { tools, events, logs };
}

describe("the agent's tool box (an in-process MCP client)", () => {
  it("lists the MCP tools with their JSON schemas, and which of them change tasks", async () => {
    const { tools } = await box();
    const listed = await tools.list();
    expect(Object.fromEntries(listed.map((tool) => [tool.name, tool.changesTasks]))).toEqual({
      list_tasks: false,
      get_task: false,
      find_tasks: false,
      add_task: true,
      update_task: true,
      complete_task: true,
      reopen_task: true,
      delete_task: true,
    });
    expect(listed.find((tool) => tool.name === "list_tasks")?.inputSchema).toMatchObject({
      type: "object",
      properties: { status: { enum: ["open", "done"] }, limit: { maximum: 100 } },
    });
    await tools.close();
  });

  it("announces each call and its outcome as tool_call and tool_result events", async () => {
    const { tools, events } = await box();
    const outcome = await tools.call({
      id: "c1",
      name: "add_task",
      arguments: { title: "Buy milk" },
    });
    expect(outcome).toMatchObject({
      ok: true,
      changed: true,
      result: { task: { title: "Buy milk" } },
    });
    expect(events).toEqual([
      { type: "tool_call", data: { id: "c1", name: "add_task", arguments: { title: "Buy milk" } } },
      { type: "tool_result", data: { id: "c1", name: "add_task", ...outcome } },
    ]);
    expect((await database.store.list(scope)).items.map((task) => task.title)).toEqual([
      "Buy milk",
    ]);
    const generated = await tools.call({ name: "list_tasks", arguments: {} });
    expect(generated.changed).toBe(false);
    expect(events[2]).toMatchObject({
      type: "tool_call",
      data: { id: expect.stringMatching(/^call_\w{32}$/) },
    });
    await tools.close();
  });

  it.each([
    ["an unknown tool", { name: "drop_database", arguments: {} }, "ERR_NOT_FOUND"],
    [
      "arguments that are not an object",
      { name: "add_task", arguments: '{"title":' },
      "ERR_VALIDATION",
    ],
    [
      "arguments the schema refuses",
      { name: "add_task", arguments: { title: 42 } },
      "ERR_VALIDATION",
    ],
  ])("refuses %s with a coded tool_result, without throwing", async (_name, call, code) => {
    const { tools, events } = await box();
    const outcome = await tools.call(call);
    expect(outcome).toMatchObject({ ok: false, changed: false, error: { code } });
    expect(events.map((event) => event.type)).toEqual(["tool_call", "tool_result"]);
    await tools.close();
  });

  it("turns an unexpected store failure into ERR_INTERNAL, keeping its message in the log only", async () => {
    const failing: TaskStore = {
      ...database.store,
      list: async () => {
        throw new Error('relation "tasks" does not exist; password=hunter2');
      },
    };
    const { tools, events, logs } = await box(failing);
    const outcome = await tools.call({ name: "list_tasks", arguments: {} });
    expect(outcome).toEqual({
      ok: false,
      changed: false,
      error: { code: "ERR_INTERNAL", message: "The tool failed unexpectedly. Try again later." },
    });
    expect(JSON.stringify(events)).not.toContain("hunter2");
    expect(logs.lines.join("\n")).toContain("mcp tool failed");
    await tools.close();
  });
});
