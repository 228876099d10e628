import { describe, expect, it } from "vitest";
import { encodeEvent } from "./events.js";

describe("the agent's SSE encoding", () => {
  it("writes one event line, one data line of JSON and a blank line", () => {
    expect(encodeEvent({ type: "delta", data: { text: "Hi" } })).toBe(
      'event: delta\ndata: {"text":"Hi"}\n\n',
    );
    expect(encodeEvent({ type: "done", data: { sessionId: "s", finishReason: "stop" } })).toBe(
      'event: done\ndata: {"sessionId":"s","finishReason":"stop"}\n\n',
    );
  });

  it("keeps line breaks in the text inside the one data line", () => {
    const encoded = encodeEvent({ type: "delta", data: { text: "a\n\nevent: error\r\ndata: x" } });
    expect(encoded.split("\n")).toHaveLength(4);
    expect(encoded).toBe('event: delta\ndata: {"text":"a\\n\\nevent: error\\r\\ndata: x"}\n\n');
  });
});
