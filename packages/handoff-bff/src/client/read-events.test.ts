import { describe, expect, it } from "vitest";
import { errorCode } from "../errors.js";
import { ProblemError } from "./problem-error.js";
import { readEvents, type ServerSentEvent } from "./read-events.js";

const encoder = new TextEncoder();

/** A body that delivers exactly these chunks, one per read. */
function streamOf(chunks: readonly (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const queue = chunks.map((chunk) => (typeof chunk === "string" ? encoder.encode(chunk) : chunk));
  return new ReadableStream({
    pull(controller) {
      const next = queue.shift();
      if (next === undefined) controller.close();
      else controller.enqueue(next);
    },
  });
}

function sse(chunks: readonly (string | Uint8Array)[], init: ResponseInit = {}): Response {
  return new Response(streamOf(chunks), {
    headers: { "content-type": "text/event-stream; charset=utf-8" },
    ...init,
  });
}

async function collect(events: AsyncIterable<ServerSentEvent>): Promise<ServerSentEvent[]> {
  const out: ServerSentEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

const parse = (text: string | Uint8Array, options = {}) =>
  collect(readEvents(sse([text]), options));

/** Every way of cutting `bytes` into two chunks, and into one-byte chunks. */
function splits(bytes: Uint8Array): Uint8Array[][] {
  const out: Uint8Array[][] = [[...bytes].map((byte) => Uint8Array.of(byte))];
  for (let cut = 0; cut <= bytes.length; cut++) out.push([bytes.slice(0, cut), bytes.slice(cut)]);
  return out;
}

describe("readEvents: the WHATWG event stream rules", () => {
  it("dispatches an event on each blank line, with the event type and JSON data", async () => {
    const events = await parse('event: delta\ndata: {"text":"Hi"}\n\nevent: done\ndata: {}\n\n');
    expect(events).toEqual([
      { event: "delta", data: { text: "Hi" } },
      { event: "done", data: {} },
    ]);
  });

  it('names an event without an event field "message", and resets the type after each', async () => {
    const events = await parse("event: a\ndata: 1\n\ndata: 2\n\n");
    expect(events.map((event) => event.event)).toEqual(["a", "message"]);
  });

  it("accepts LF, CRLF and CR line endings, mixed in one stream", async () => {
    const events = await parse("data: a\r\n\r\ndata: b\r\rdata: c\n\ndata: d\r\n\n");
    expect(events.map((event) => event.data)).toEqual(["a", "b", "c", "d"]);
  });

  it("treats a CR at the end of one chunk and a LF at the start of the next as one line end", async () => {
    // Read as two line ends, "a" would be dispatched on its own before "b" arrived.
    const events = await collect(readEvents(sse(["data: a\r", "\ndata: b\r", "\n\r", "\n"])));
    expect(events).toEqual([{ event: "message", data: "a\nb" }]);
  });

  it("joins multi-line data with LF and drops the final LF", async () => {
    const events = await parse("data: first\ndata: second\ndata\ndata:\n\n");
    expect(events).toEqual([{ event: "message", data: "first\nsecond\n\n" }]);
  });

  it("strips exactly one space after the colon, and none when there is none", async () => {
    const events = await parse("data:no-space\n\ndata:  two spaces\n\ndata:\ttab\n\n", {
      json: false,
    });
    expect(events.map((event) => event.data)).toEqual(["no-space", " two spaces", "\ttab"]);
  });

  it("ignores comments such as the API's ': ping', and unknown or wrongly cased fields", async () => {
    const events = await parse(": ping\n\n:\nDATA: x\nfoo: bar\ndata: kept\n: ping\n\n");
    expect(events).toEqual([{ event: "message", data: "kept" }]);
  });

  it("dispatches nothing for a block without data, and forgets its event type", async () => {
    const events = await parse("event: lonely\n\ndata: 1\n\n");
    expect(events).toEqual([{ event: "message", data: 1 }]);
  });

  it("dispatches an empty data field as an empty string", async () => {
    expect(await parse("data\n\ndata:\n\n")).toEqual([
      { event: "message", data: "" },
      { event: "message", data: "" },
    ]);
  });

  it("discards an event that the stream ends before its blank line", async () => {
    expect(await parse("data: complete\n\ndata: incomplete\n")).toEqual([
      { event: "message", data: "complete" },
    ]);
    expect(await parse("data: complete\n\ndata: no line end")).toHaveLength(1);
  });

  it("parses data as JSON when it is JSON, else keeps the string", async () => {
    const events = await parse('data: {"a":[1]}\n\ndata: 42\n\ndata: [DONE]\n\ndata: "q"\n\n');
    expect(events.map((event) => event.data)).toEqual([{ a: [1] }, 42, "[DONE]", "q"]);
  });

  it("keeps every data as the raw string with json: false", async () => {
    const events = await parse('data: 42\n\ndata: {"a":1}\n\n', { json: false });
    expect(events.map((event) => event.data)).toEqual(["42", '{"a":1}']);
  });

  it("carries the last event ID to later events, ignores an ID with NUL and resets on an empty ID", async () => {
    const stream = readEvents(
      sse(["id: 1\ndata: a\n\ndata: b\n\nid: x\0y\ndata: c\n\nid\ndata: d\n\n"]),
    );
    const events = await collect(stream);
    expect(events.map((event) => event.id)).toEqual(["1", "1", "1", undefined]);
    expect(stream.lastEventId).toBe("");
  });

  it("updates lastEventId on a blank line even without data", async () => {
    const stream = readEvents(sse(["data: a\n\nid: 7\n\n"]));
    expect(await collect(stream)).toEqual([{ event: "message", data: "a" }]);
    expect(stream.lastEventId).toBe("7");
  });

  it("does not take the ID of an event the stream ended in the middle of", async () => {
    const stream = readEvents(sse(["id: 1\ndata: a\n\nid: 2\ndata: b\n"]));
    await collect(stream);
    expect(stream.lastEventId).toBe("1");
  });

  it("exposes retry when it is all ASCII digits, and ignores it otherwise", async () => {
    const stream = readEvents(sse(["retry: 2500\ndata: a\n\nretry: 1e3\nretry: -1\nretry: 5 s\n"]));
    expect(await collect(stream)).toEqual([{ event: "message", data: "a", retry: 2500 }]);
    expect(stream.retry).toBe(2500);
    const alone = readEvents(sse(["retry: 100\n\n"]));
    expect(await collect(alone)).toEqual([]);
    expect(alone.retry).toBe(100);
  });

  it("ignores one byte order mark at the start, even split across chunks, but not a second", async () => {
    const bom = Uint8Array.of(0xef, 0xbb, 0xbf);
    const events = await collect(
      readEvents(
        sse([bom.slice(0, 1), bom.slice(1), "data: a\n\n", bom, "data: b\n\ndata: c\n\n"]),
      ),
    );
    // The second BOM makes its line's field name "\uFEFFdata": an unknown field.
    expect(events.map((event) => event.data)).toEqual(["a", "c"]);
  });

  it("decodes UTF-8 however the bytes are split, multi-byte characters included", async () => {
    const text =
      'event: delta\r\ndata: {"text":"café 😀 任务"}\r\n\r\n: ping\rdata: ünï\rdata: 𝄞\r\rid: é\ndata: x\n\n';
    const bytes = Uint8Array.of(0xef, 0xbb, 0xbf, ...encoder.encode(text));
    const expected = [
      { event: "delta", data: { text: "café 😀 任务" } },
      { event: "message", data: "ünï\n𝄞" },
      { event: "message", data: "x", id: "é" },
    ];
    for (const chunks of splits(bytes)) {
      expect(await collect(readEvents(sse(chunks)))).toEqual(expected);
    }
  });

  it("replaces invalid UTF-8 with U+FFFD, as the spec's decoder does", async () => {
    const bytes = Uint8Array.of(
      ...encoder.encode("data: a"),
      0xff,
      0xc3,
      ...encoder.encode("\n\n"),
    );
    expect(await parse(bytes)).toEqual([{ event: "message", data: "a\uFFFD\uFFFD" }]);
  });

  it("reads the agent's stream from docs/api/agent.md", async () => {
    const stream = [
      "event: session",
      'data: {"sessionId":"0b6f"}',
      "",
      "event: tool_call",
      'data: {"id":"call_1","name":"add_task","arguments":{"title":"buy milk"}}',
      "",
      ": ping",
      "",
      "event: tool_result",
      'data: {"id":"call_1","name":"add_task","ok":true,"result":{"task":{"number":1}},"changed":true}',
      "",
      "event: delta",
      'data: {"text":"Added "}',
      "",
      "event: delta",
      'data: {"text":"#1."}',
      "",
      "event: done",
      'data: {"sessionId":"0b6f","finishReason":"stop"}',
      "",
      "",
    ].join("\n");
    const events = await parse(stream);
    expect(events.map((event) => event.event)).toEqual([
      "session",
      "tool_call",
      "tool_result",
      "delta",
      "delta",
      "done",
    ]);
    expect(events[4]?.data).toEqual({ text: "#1." });
  });

  it("reads a ReadableStream as it is, without looking for a response", async () => {
    expect(await collect(readEvents(streamOf(["data: a\n\n"])))).toEqual([
      { event: "message", data: "a" },
    ]);
  });
});

describe("readEvents: responses that are not event streams", () => {
  it("throws a ProblemError with the problem+json code for a non-2xx response", async () => {
    const response = new Response(
      JSON.stringify({ status: 409, code: "ERR_SESSION_BUSY", detail: "busy", requestId: "r1" }),
      { status: 409, headers: { "content-type": "application/problem+json" } },
    );
    const error = await collect(readEvents(response)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProblemError);
    expect(errorCode(error)).toBe("ERR_SESSION_BUSY");
    expect(error).toMatchObject({ status: 409, detail: "busy", requestId: "r1", message: "busy" });
  });

  it("throws a ProblemError without a code for a non-JSON error page, and cancels its body", async () => {
    let cancelled = false;
    const body = new ReadableStream({
      pull: (controller) => controller.enqueue(encoder.encode("<html>")),
      cancel: () => {
        cancelled = true;
      },
    });
    const response = new Response(body, {
      status: 502,
      statusText: "Bad Gateway",
      headers: { "content-type": "text/html", "x-request-id": "r2" },
    });
    const error = await collect(readEvents(response)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProblemError);
    expect(error).toMatchObject({
      status: 502,
      code: undefined,
      title: "Bad Gateway",
      requestId: "r2",
    });
    expect(cancelled).toBe(true);
  });

  it("throws a TypeError for a 2xx response that is not text/event-stream", async () => {
    const response = Response.json({ items: [] });
    await expect(collect(readEvents(response))).rejects.toThrow(
      new TypeError("Expected a text/event-stream response, got application/json (status 200)."),
    );
  });

  it("accepts the media type in any case and with parameters", async () => {
    const response = new Response("data: a\n\n", {
      headers: { "content-type": "Text/Event-Stream ; charset=UTF-8" },
    });
    expect(await collect(readEvents(response))).toHaveLength(1);
  });

  it("ends at once on 204, as EventSource stops on it", async () => {
    expect(await collect(readEvents(new Response(null, { status: 204 })))).toEqual([]);
  });
});

describe("readEvents: leaving early", () => {
  /** An endless stream that records whether, and why, it was cancelled. */
  function endless() {
    const state = { cancelled: false, reason: undefined as unknown };
    const stream = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.enqueue(encoder.encode("data: tick\n\n")),
      cancel: (reason) => {
        state.cancelled = true;
        state.reason = reason;
      },
    });
    return { stream, state };
  }

  it("cancels the body when the loop is left with break", async () => {
    const { stream, state } = endless();
    for await (const event of readEvents(stream)) {
      expect(event.data).toBe("tick");
      break;
    }
    expect(state.cancelled).toBe(true);
  });

  it("cancels the body and throws the reason when the signal aborts during a read", async () => {
    const state = { cancelled: false };
    // One event, then silence: the second read waits until the abort.
    const stream = new ReadableStream<Uint8Array>({
      start: (controller) => controller.enqueue(encoder.encode("data: first\n\n")),
      cancel: () => {
        state.cancelled = true;
      },
    });
    const controller = new AbortController();
    const events = readEvents(stream, { signal: controller.signal });
    expect((await events.next()).value).toEqual({ event: "message", data: "first" });
    const pending = events.next();
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    expect(state.cancelled).toBe(true);
    expect(await events.next()).toEqual({ done: true, value: undefined });
  });

  it("stops between events of one chunk once the signal has aborted", async () => {
    const controller = new AbortController();
    const seen: unknown[] = [];
    const loop = (async () => {
      for await (const event of readEvents(sse(["data: 1\n\ndata: 2\n\ndata: 3\n\n"]), {
        signal: controller.signal,
      })) {
        seen.push(event.data);
        controller.abort(new Error("stop"));
      }
    })();
    await expect(loop).rejects.toThrow("stop");
    expect(seen).toEqual([1]);
  });

  it("does not read at all when the signal has already aborted", async () => {
    const { stream, state } = endless();
    const controller = new AbortController();
    controller.abort();
    await expect(collect(readEvents(stream, { signal: controller.signal }))).rejects.toMatchObject({
      name: "AbortError",
    });
    expect(stream.locked).toBe(false);
    expect(state.cancelled).toBe(false);
  });
});
