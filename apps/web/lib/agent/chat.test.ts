import { describe, expect, it } from "vitest";
import { type AssistantTurn, applyEvent, describeTool } from "./chat";

const fresh: AssistantTurn = { id: 2, role: "assistant", text: "", tools: [], state: "streaming" };

/** Replays a stream as the API sends it (docs/api/agent.md), collecting the effects. */
function replay(events: [string, unknown][]) {
  let turn = fresh;
  const effects = [];
  for (const [event, data] of events) {
    const applied = applyEvent(turn, event, data);
    turn = applied.turn;
    effects.push(applied.effect);
  }
  return { turn, effects };
}

describe("applyEvent", () => {
  it("grows the answer delta by delta and ends with done", () => {
    const { turn, effects } = replay([
      ["session", { sessionId: "s1" }],
      ["delta", { text: "Added " }],
      ["delta", { text: "task #1." }],
      ["done", { sessionId: "s1", finishReason: "stop" }],
    ]);
    expect(turn).toMatchObject({ text: "Added task #1.", state: "done" });
    expect(effects[0]).toEqual({ sessionId: "s1" });
  });

  it("lists tool calls and asks for a task refresh when a tool changed tasks", () => {
    const { turn, effects } = replay([
      ["tool_call", { id: "c1", name: "add_task", arguments: { title: "buy milk" } }],
      ["tool_result", { id: "c1", name: "add_task", ok: true, result: {}, changed: true }],
    ]);
    expect(turn.tools).toEqual([{ id: "c1", name: "add_task", state: "ok" }]);
    expect(effects[1]).toEqual({ tasksChanged: true });
  });

  it("does not refresh for read-only tools", () => {
    const { effects } = replay([
      ["tool_call", { id: "c1", name: "list_tasks", arguments: {} }],
      ["tool_result", { id: "c1", name: "list_tasks", ok: true, changed: false }],
    ]);
    expect(effects[1]).toEqual({ tasksChanged: false });
  });

  it("marks a failed tool with its message", () => {
    const { turn } = replay([
      ["tool_call", { id: "c1", name: "complete_task", arguments: { number: 9 } }],
      [
        "tool_result",
        {
          id: "c1",
          name: "complete_task",
          ok: false,
          error: { code: "ERR_NOT_FOUND", message: "No task #9." },
          changed: false,
        },
      ],
    ]);
    expect(turn.tools[0]).toEqual({
      id: "c1",
      name: "complete_task",
      state: "failed",
      error: "No task #9.",
    });
  });

  it("ends the turn on an error event with the API's message", () => {
    const { turn } = replay([
      ["delta", { text: "Let me" }],
      ["error", { code: "ERR_AGENT_FAILED", message: "The agent failed." }],
    ]);
    expect(turn).toMatchObject({ text: "Let me", state: "failed", error: "The agent failed." });
  });

  it("ignores events it does not know and data that is not an object", () => {
    const { turn } = replay([
      ["usage", { tokens: 3 }],
      ["delta", "not json"],
      ["delta", { text: 42 }],
    ]);
    expect(turn).toEqual(fresh);
  });
});

describe("describeTool", () => {
  it("reads as the panel shows it", () => {
    expect(describeTool({ id: "1", name: "add_task", state: "running" })).toBe("add_task …");
    expect(describeTool({ id: "1", name: "add_task", state: "ok" })).toBe("add_task … ✓");
    expect(
      describeTool({ id: "1", name: "delete_task", state: "failed", error: "No task #3." }),
    ).toBe("delete_task … ✗ No task #3.");
  });
});
