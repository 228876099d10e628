import { describe, expect, it, vi } from "vitest";
import { createSseStream, EVENT_STREAM_HEADERS, encodeSse, encodeSseComment } from "./sse.js";
import { parseSse, readSse } from "./testing/sse.js";

describe("encodeSse", () => {
  it("writes the event, one data line per line, the id and retry, then a blank line", () => {
    expect(encodeSse({ event: "delta", data: '{"text":"Hi"}' })).toBe(
      'event: delta\ndata: {"text":"Hi"}\n\n',
    );
    expect(encodeSse({ data: "x", id: "7", retry: 1000 })).toBe("data: x\nid: 7\nretry: 1000\n\n");
  });

  it("splits data on CRLF, LF and CR, so a client joins it back with LF", () => {
    const encoded = encodeSse({ data: "a\r\nb\nc\rd\n\nevent: forged" });
    expect(encoded).toBe("data: a\ndata: b\ndata: c\ndata: d\ndata: \ndata: event: forged\n\n");
    expect(parseSse(encoded)).toEqual([
      { event: undefined, id: undefined, data: "a\nb\nc\nd\n\nevent: forged" },
    ]);
  });

  it.each([
    ["an event name with LF", { data: "x", event: "delta\ndata: forged" }],
    ["an event name with CR", { data: "x", event: "delta\rid: 1" }],
    ["an id with CRLF", { data: "x", id: "1\r\nevent: error" }],
    ["an id with NUL", { data: "x", id: "1\0" }],
  ])("refuses %s, which would forge fields", (_, message) => {
    expect(() => encodeSse(message)).toThrow(TypeError);
  });

  it("refuses a retry that is not a whole number of milliseconds", () => {
    for (const retry of [-1, 1.5, Number.NaN]) {
      expect(() => encodeSse({ data: "x", retry })).toThrow(RangeError);
    }
  });
});

describe("encodeSseComment", () => {
  it("writes one colon line per line, which a client skips", () => {
    expect(encodeSseComment("ping")).toBe(": ping\n\n");
    expect(encodeSseComment("a\nevent: forged")).toBe(": a\n: event: forged\n\n");
    expect(parseSse(encodeSseComment("a\ndata: forged"))).toEqual([]);
  });
});

describe("createSseStream", () => {
  it("sends each event as its own chunk, then closes", async () => {
    const body = createSseStream((sse) => {
      sse.write({ event: "a", data: "1" });
      sse.write({ data: "2" });
      sse.close();
      sse.write({ data: "after close" });
    });
    const events = [];
    for await (const event of readSse(body, { strict: true })) events.push(event);
    expect(events).toEqual([
      { event: "a", id: undefined, data: "1" },
      { event: undefined, id: undefined, data: "2" },
    ]);
  });

  it("sends `: ping` after each silence of heartbeatMs, and stops when closed", async () => {
    vi.useFakeTimers();
    try {
      let writer: Parameters<Parameters<typeof createSseStream>[0]>[0] | undefined;
      const body = createSseStream((sse) => (writer = sse), { heartbeatMs: 1_000 });
      const reader = body.pipeThrough(new TextDecoderStream()).getReader();
      await vi.advanceTimersByTimeAsync(999);
      writer?.write({ data: "x" });
      expect((await reader.read()).value).toBe("data: x\n\n");
      await vi.advanceTimersByTimeAsync(1_000);
      expect((await reader.read()).value).toBe(": ping\n\n");
      writer?.close();
      await vi.advanceTimersByTimeAsync(5_000);
      expect((await reader.read()).done).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it("counts the chunks written but not yet read, so a producer can see a slow reader", async () => {
    let writer: Parameters<Parameters<typeof createSseStream>[0]>[0] | undefined;
    const body = createSseStream((sse) => (writer = sse));
    for (const data of ["a", "b", "c"]) writer?.write({ data });
    expect(writer?.queued).toBe(3);
    const reader = body.getReader();
    await reader.read();
    expect(writer?.queued).toBe(2);
    writer?.close();
    expect(writer?.queued).toBe(0);
  });

  it("tells the producer when the reader cancels, and drops later writes", async () => {
    const onCancel = vi.fn();
    let writer: Parameters<Parameters<typeof createSseStream>[0]>[0] | undefined;
    const body = createSseStream((sse) => (writer = sse), { onCancel });
    await body.cancel("gone");
    expect(onCancel).toHaveBeenCalledWith("gone");
    expect(() => writer?.write({ data: "late" })).not.toThrow();
  });
});

describe("EVENT_STREAM_HEADERS", () => {
  it("keep every cache and proxy from holding events back", () => {
    expect(EVENT_STREAM_HEADERS).toEqual({
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      "x-accel-buffering": "no",
    });
  });
});
