import type { ThreadItem } from "handoff-chatkit";
import { describe, expect, it } from "vitest";
import { titleOf } from "./agent-responder.js";
import { AGENT_TURN, toChatMessages } from "./history.js";

const base = { thread_id: "thr_1", created_at: "2026-01-01T00:00:00.000Z" };
const user = (id: string, text: string): ThreadItem => ({
  ...base,
  type: "user_message",
  id,
  content: [{ type: "input_text", text }],
  attachments: [],
  inference_options: {},
});
const assistant = (id: string, text: string): ThreadItem => ({
  ...base,
  type: "assistant_message",
  id,
  content: [{ type: "output_text", text, annotations: [] }],
});

describe("toChatMessages", () => {
  it("turns user and assistant messages into the conversation, in order", () => {
    expect(
      toChatMessages([user("1", "help"), assistant("2", "I can…"), user("3", "add x")]),
    ).toEqual([
      { role: "user", content: "help" },
      { role: "assistant", content: "I can…" },
      { role: "user", content: "add x" },
    ]);
  });

  it("uses a turn's hidden record, tool calls included, in place of its text", () => {
    const record = [
      {
        role: "assistant",
        content: "",
        toolCalls: [{ id: "c1", name: "add_task", arguments: "{}" }],
      },
      { role: "tool", toolCallId: "c1", name: "add_task", content: "{}" },
      { role: "assistant", content: "Added." },
    ];
    const hidden: ThreadItem = {
      ...base,
      type: "hidden_context_item",
      id: "h",
      content: { type: AGENT_TURN, messages: record },
    };
    expect(toChatMessages([user("1", "add x"), assistant("2", "Added."), hidden])).toEqual([
      { role: "user", content: "add x" },
      ...record,
    ]);
    // Anything else in a hidden item is ignored.
    const other: ThreadItem = { ...hidden, content: { type: "note", messages: [] } };
    expect(toChatMessages([user("1", "a"), assistant("2", "b"), other])).toHaveLength(2);
  });

  it("renders the SDK's hidden note as marked context, and starts at a user message", () => {
    const note: ThreadItem = {
      ...base,
      type: "sdk_hidden_context",
      id: "n",
      content: "The user cancelled the stream.",
    };
    const messages = toChatMessages([assistant("0", "orphan"), user("1", "hi"), note]);
    expect(messages[0]).toEqual({ role: "user", content: "hi" });
    expect(messages[1]).toEqual({
      role: "user",
      content: expect.stringContaining(
        "<HiddenContext>\nThe user cancelled the stream.\n</HiddenContext>",
      ),
    });
  });
});

describe("titleOf", () => {
  it("keeps a short first message, on one line", () => {
    expect(titleOf("  add\n buy   milk ")).toBe("add buy milk");
  });

  it("cuts a long one at a word, within 60 characters", () => {
    const title = titleOf(`${"word ".repeat(30)}end`);
    expect(title.length).toBeLessThanOrEqual(60);
    expect(title).toMatch(/word…$/);
    expect(titleOf("x".repeat(100))).toBe(`${"x".repeat(59)}…`);
  });
});
