import type http from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { startRawUpstream, type TestServer, waitFor } from "../../test/helpers.js";
import { ProblemError } from "./problem-error.js";
import { readEvents, type ServerSentEvent } from "./read-events.js";
import { streamEvents } from "./stream-events.js";

const SSE_HEAD = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-store",
};

describe("streamEvents and readEvents over a real socket", () => {
  const servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
    const server = await startRawUpstream(handler);
    servers.push(server);
    return server;
  }

  /** Tracks when the server side of each connection closes. */
  function closedSockets() {
    const state = { closed: 0 };
    const watch = (req: http.IncomingMessage) => {
      req.socket.on("close", () => {
        state.closed++;
      });
    };
    return { state, watch };
  }

  it("yields each event as soon as it arrives, long before the stream ends", async () => {
    let response: http.ServerResponse | undefined;
    const server = await serve((_req, res) => {
      res.writeHead(200, SSE_HEAD);
      res.flushHeaders();
      response = res;
    });
    const events = await streamEvents(`${server.url}/chat`, { method: "POST", body: "{}" });
    await waitFor(() => response !== undefined);
    const res = response as http.ServerResponse;
    const write = (text: string | Buffer) =>
      new Promise<void>((resolve) => res.write(text, () => resolve()));

    // The server writes the next event only after the client has yielded the previous one:
    // a reader that waited for the end of the stream would never see the first event.
    const seen: ServerSentEvent[] = [];
    const cafe = Buffer.from('data: {"text":"café 😀"}\n\n');
    const split = cafe.indexOf(0xc3) + 1; // inside "é"
    await write("event: session\n");
    await sleep(20);
    await write('data: {"sessionId":"s1"}\n\n');
    for await (const event of events) {
      seen.push(event);
      if (seen.length === 1) {
        expect(event).toEqual({ event: "session", data: { sessionId: "s1" } });
        await write(": ping\n\nevent: delta\n");
        await sleep(20);
        await write(cafe.subarray(0, split));
        await sleep(20);
        await write(cafe.subarray(split));
      } else if (seen.length === 2) {
        expect(event).toEqual({ event: "delta", data: { text: "café 😀" } });
        await sleep(20);
        res.end('event: done\r\ndata: {"finishReason":"stop"}\r\n\r\n');
      }
    }
    expect(seen.map((event) => event.event)).toEqual(["session", "delta", "done"]);
  });

  it("closes the server's socket when the signal aborts while waiting for an event", async () => {
    const { state, watch } = closedSockets();
    const server = await serve((req, res) => {
      watch(req);
      res.writeHead(200, SSE_HEAD);
      res.write("data: first\n\n");
      const ping = setInterval(() => res.write(": ping\n\n"), 50);
      res.on("close", () => clearInterval(ping));
    });
    const controller = new AbortController();
    const events = await streamEvents(`${server.url}/chat`, { signal: controller.signal });
    const seen: unknown[] = [];
    const loop = (async () => {
      for await (const event of events) {
        seen.push(event.data);
        setTimeout(() => controller.abort(), 100);
      }
    })();
    await expect(loop).rejects.toMatchObject({ name: "AbortError" });
    expect(seen).toEqual(["first"]);
    await waitFor(() => state.closed === 1, 2000);
  });

  it("closes the server's socket when the loop is left with break", async () => {
    const { state, watch } = closedSockets();
    const server = await serve((req, res) => {
      watch(req);
      res.writeHead(200, SSE_HEAD);
      const tick = setInterval(() => res.write("data: tick\n\n"), 20);
      res.on("close", () => clearInterval(tick));
    });
    const response = await fetch(`${server.url}/feed`);
    let count = 0;
    for await (const _event of readEvents(response)) {
      if (++count === 3) break;
    }
    await waitFor(() => state.closed === 1, 2000);
  });

  it("rejects, rather than ending quietly, when the connection is cut mid-stream", async () => {
    const server = await serve((req, res) => {
      res.writeHead(200, SSE_HEAD);
      res.write("data: one\n\n", () => setTimeout(() => req.socket.destroy(), 50));
    });
    const seen: unknown[] = [];
    const loop = (async () => {
      for await (const event of await streamEvents(`${server.url}/feed`)) seen.push(event.data);
    })();
    await expect(loop).rejects.toBeInstanceOf(Error);
    expect(seen).toEqual(["one"]);
  });

  it("sends Accept: text/event-stream and the request as given", async () => {
    let body = "";
    const server = await serve((req, res) => {
      req.setEncoding("utf8");
      req.on("data", (chunk: string) => {
        body += chunk;
      });
      req.on("end", () => {
        res.writeHead(200, SSE_HEAD);
        res.end("data: ok\n\n");
      });
    });
    const events = await streamEvents(`${server.url}/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: "add buy milk" }),
    });
    const seenEvents: ServerSentEvent[] = [];
    for await (const event of events) seenEvents.push(event);
    expect(seenEvents).toEqual([{ event: "message", data: "ok" }]);
    const seen = server.seen[0];
    expect(seen?.method).toBe("POST");
    expect(seen?.headers.accept).toBe("text/event-stream");
    expect(seen?.headers["content-type"]).toBe("application/json");
    expect(seen?.headers["last-event-id"]).toBeUndefined();
    expect(body).toBe('{"message":"add buy milk"}');
  });

  it("throws the API's problem before the first event, such as 409 ERR_SESSION_BUSY", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(409, { "content-type": "application/problem+json" });
      res.end(JSON.stringify({ status: 409, code: "ERR_SESSION_BUSY", title: "Session busy" }));
    });
    const events = await streamEvents(`${server.url}/chat`, { method: "POST", body: "{}" });
    const error = await events.next().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProblemError);
    expect(error).toMatchObject({ status: 409, code: "ERR_SESSION_BUSY" });
  });

  it("lets a caller resume a GET stream with lastEventId after the server's retry time", async () => {
    const server = await serve((req, res) => {
      const from = Number(req.headers["last-event-id"] ?? 0);
      res.writeHead(200, SSE_HEAD);
      // Two events per connection, then the server ends it; a real feed would go on.
      res.end(
        `retry: 10\nid: ${from + 1}\ndata: ${from + 1}\n\nid: ${from + 2}\ndata: ${from + 2}\n\n`,
      );
    });
    const seen: unknown[] = [];
    let lastEventId = "";
    for (let connection = 0; connection < 2; connection++) {
      const events = await streamEvents(`${server.url}/feed`, { lastEventId });
      for await (const event of events) seen.push(event.data);
      lastEventId = events.lastEventId;
      await sleep(events.retry ?? 3000);
    }
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(server.seen.map((request) => request.headers["last-event-id"])).toEqual([
      undefined,
      "2",
    ]);
  });
});
