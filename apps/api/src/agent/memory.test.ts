import { describe, expect, it } from "vitest";
import type { ChatMessage } from "./brain.js";
import {
  boundToolResult,
  historyBytes,
  LEFT_OUT,
  messageBytes,
  trimHistory,
  utf8Length,
} from "./memory.js";

const encoded = (text: string) => new TextEncoder().encode(text).byteLength;

/** One turn that called `list_tasks`: user, assistant call, tool result, answer. */
const turn = (n: number, result = "{}"): ChatMessage[] => [
  { role: "user", content: `list ${n}` },
  {
    role: "assistant",
    content: "",
    toolCalls: [{ id: `c${n}`, name: "list_tasks", arguments: "{}" }],
  },
  { role: "tool", toolCallId: `c${n}`, name: "list_tasks", content: result },
  { role: "assistant", content: `answer ${n}` },
];

describe("the agent's memory accounting", () => {
  it("counts UTF-8 bytes as TextEncoder does, surrogate pairs and lone surrogates included", () => {
    for (const text of [
      "",
      "plain",
      "café",
      "€uro",
      "🥛 milk",
      "a\uD800b",
      "\uDC00",
      "x".repeat(999),
    ]) {
      expect(utf8Length(text), JSON.stringify(text)).toBe(encoded(text));
    }
  });

  it("counts every text a message holds: content, tool names, ids and arguments", () => {
    expect(messageBytes({ role: "user", content: "é" })).toBe(2);
    expect(messageBytes({ role: "tool", toolCallId: "c1", name: "get_task", content: "{}" })).toBe(
      2 + 8 + 2,
    );
    expect(
      messageBytes({
        role: "assistant",
        content: "ok",
        toolCalls: [{ id: "c1", name: "add_task", arguments: '{"title":"€"}' }],
      }),
    ).toBe(2 + 2 + 8 + encoded('{"title":"€"}'));
  });

  it("cuts a long tool result to the budget, on a character boundary, with a marker naming its length", () => {
    const content = "🥛".repeat(5_000);
    const long: ChatMessage = { role: "tool", toolCallId: "c1", name: "list_tasks", content };
    const cut = boundToolResult(long, 4_096);
    if (cut.role !== "tool") throw new Error("not a tool message");
    expect(utf8Length(cut.content)).toBeLessThanOrEqual(4_096);
    expect(utf8Length(cut.content)).toBeGreaterThan(4_096 - 4);
    expect(cut.content).toMatch(/^(?:🥛)+…\[truncated to 4096 of 20000 bytes/);
    expect(cut.content).toContain("call list_tasks again");
    expect(cut.content).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect({ ...cut, content: "" }).toEqual({ ...long, content: "" });
  });

  it("leaves short tool results and other messages as they are", () => {
    const short: ChatMessage = {
      role: "tool",
      toolCallId: "c1",
      name: "t",
      content: "x".repeat(64),
    };
    expect(boundToolResult(short, 64)).toBe(short);
    const user: ChatMessage = { role: "user", content: "x".repeat(10_000) };
    expect(boundToolResult(user, 64)).toBe(user);
  });
});

describe("trimming a history", () => {
  it("drops the oldest turns whole until the history fits, never the turn just added", () => {
    const history = [...turn(1, "a".repeat(500)), ...turn(2, "b".repeat(500)), ...turn(3)];
    const maxBytes = historyBytes([...turn(2, "b".repeat(500)), ...turn(3)]);
    const kept = trimHistory(history, 8, { maxMessages: 100, maxBytes });
    expect(kept).toEqual([...turn(2, "b".repeat(500)), ...turn(3)]);
    expect(trimHistory(history, 8, { maxMessages: 100, maxBytes: maxBytes - 1 })).toEqual(turn(3));
  });

  it("drops by message count the same way, starting the history at a user message", () => {
    const history = [...turn(1), ...turn(2)];
    expect(trimHistory(history, 4, { maxMessages: 5, maxBytes: 1e9 })).toEqual(turn(2));
    expect(trimHistory(history, 4, { maxMessages: 8, maxBytes: 1e9 })).toEqual(history);
  });

  it("keeps the newest turn when it alone is over the budget, its tool results left out, each call still answered", () => {
    const history = [...turn(1), ...turn(2, "z".repeat(10_000))];
    const kept = trimHistory(history, 4, { maxMessages: 100, maxBytes: 1_000 });
    expect(kept.map((message) => message.role)).toEqual(["user", "assistant", "tool", "assistant"]);
    expect(kept[2]).toEqual({
      role: "tool",
      toolCallId: "c2",
      name: "list_tasks",
      content: LEFT_OUT,
    });
    expect(historyBytes(kept)).toBeLessThanOrEqual(1_000);
  });
});
