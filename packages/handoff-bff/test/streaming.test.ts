import type http from "node:http";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { cookieToken } from "../src/index.js";
import type { LogEvent, ProxyOptions } from "../src/proxy/index.js";
import {
  COOKIE,
  FLAVOURS,
  nodeRequest,
  startProxy,
  startRawUpstream,
  type TestServer,
  waitFor,
} from "./helpers.js";

describe.each(FLAVOURS)("streaming and failures through the %s transport", (flavour) => {
  const servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  async function setup(
    handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
    options: Partial<ProxyOptions> = {},
  ) {
    const upstream = await startRawUpstream(handler);
    const proxy = await startProxy(flavour, {
      upstream: upstream.url,
      mount: "/p",
      token: cookieToken("auth_token"),
      ...options,
    });
    servers.push(proxy, upstream);
    return { upstream, proxy };
  }

  it("delivers each SSE event as soon as the upstream sends it", async () => {
    let sendNext: () => void = () => {};
    const { proxy } = await setup((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      res.write("event: token\ndata: first\n\n");
      // The second event is sent only once the client has read the first: a proxy that
      // buffers the stream never lets the client see "first", and the test times out.
      sendNext = () => res.end("event: done\ndata: second\n\n");
    });
    const response = await fetch(`${proxy.url}/p/events`, {
      headers: { cookie: COOKIE, accept: "text/event-stream", "accept-encoding": "gzip" },
    });
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (!text.includes("first\n\n")) {
      const { value } = await reader.read();
      text += decoder.decode(value, { stream: true });
    }
    expect(text).toBe("event: token\ndata: first\n\n");
    sendNext();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    expect(text).toBe("event: token\ndata: first\n\nevent: done\ndata: second\n\n");
  });

  it("aborts the upstream SSE request within a second of the client disconnecting", async () => {
    let upstreamClosed = false;
    const { proxy } = await setup((req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("data: hello\n\n");
      const ticker = setInterval(() => res.write(": heartbeat\n\n"), 50);
      req.socket.on("close", () => {
        clearInterval(ticker);
        upstreamClosed = true;
      });
    });
    const controller = new AbortController();
    const response = await fetch(`${proxy.url}/p/events`, {
      headers: { cookie: COOKIE },
      signal: controller.signal,
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    controller.abort();
    await waitFor(() => upstreamClosed, 1000);
  });

  it("streams a large download with backpressure: a paused client pauses the upstream", async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x5a);
    const total = 64 * 1024 * 1024;
    let written = 0;
    const { proxy } = await setup((_req, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": total });
      const pump = () => {
        while (written < total) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        res.end();
      };
      pump();
    });
    const response = await fetch(`${proxy.url}/p/download`, { headers: { cookie: COOKIE } });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let received = (await reader.read()).value?.byteLength ?? 0;
    await new Promise((resolve) => setTimeout(resolve, 400));
    // Socket buffers on three connections hold a few MiB at most; without backpressure the
    // whole 64 MiB would already have been read into the proxy's memory.
    expect(written).toBeLessThan(16 * 1024 * 1024);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
    }
    expect(received).toBe(total);
  });

  it("answers 504 when the upstream sends no headers in time, and aborts it", async () => {
    let upstreamClosed = false;
    const { proxy } = await setup(
      (req) => {
        req.socket.on("close", () => {
          upstreamClosed = true;
        });
      },
      { timeout: { headers: 200 } },
    );
    const response = await fetch(`${proxy.url}/p/slow`, { headers: { cookie: COOKIE } });
    expect(response.status).toBe(504);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect((await response.json()).code).toBe("ERR_UPSTREAM_TIMEOUT");
    await waitFor(() => upstreamClosed, 1000);
  });

  it("cuts a response body that goes silent for longer than the idle timeout, and logs it", async () => {
    let upstreamClosed = false;
    const events: LogEvent[] = [];
    const { proxy } = await setup(
      (req, res) => {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write("data: one\n\n");
        req.socket.on("close", () => {
          upstreamClosed = true;
        });
      },
      { timeout: { idle: 200 }, logger: (event) => events.push(event) },
    );
    const response = await fetch(`${proxy.url}/p/stall`, { headers: { cookie: COOKIE } });
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
    await waitFor(() => upstreamClosed, 1000);
    expect(events.map((event) => [event.level, event.status, event.code])).toEqual([
      ["info", 200, undefined],
      ["warn", 200, "ERR_UPSTREAM_TIMEOUT"],
    ]);
    expect(events[1]?.path).toBe("/p/stall");
  });

  it("does not count a slowly reading client as upstream silence", async () => {
    const { proxy } = await setup(
      (_req, res) => {
        res.writeHead(200, { "content-type": "application/octet-stream" });
        // Far more than the socket buffers hold, so the proxy has to pause the upstream.
        res.end(Buffer.alloc(8 * 1024 * 1024, 1));
      },
      { timeout: { idle: 300 } },
    );
    const response = await fetch(`${proxy.url}/p/big`, { headers: { cookie: COOKIE } });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let received = (await reader.read()).value?.byteLength ?? 0;
    await new Promise((resolve) => setTimeout(resolve, 900));
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
    }
    expect(received).toBe(8 * 1024 * 1024);
  });

  it("answers 502 at once when the upstream is unreachable", async () => {
    const gone = await startRawUpstream(() => {});
    await gone.close();
    const proxy = await startProxy(flavour, {
      upstream: gone.url,
      token: cookieToken("auth_token"),
      timeout: { headers: 60_000 },
    });
    servers.push(proxy);
    const started = Date.now();
    const response = await fetch(`${proxy.url}/x`, { headers: { cookie: COOKIE } });
    expect(response.status).toBe(502);
    expect((await response.json()).code).toBe("ERR_UPSTREAM_UNREACHABLE");
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("answers 502 when the upstream resets the connection before answering", async () => {
    const { proxy } = await setup((req) => req.socket.destroy());
    const response = await fetch(`${proxy.url}/p/reset`, { headers: { cookie: COOKIE } });
    expect(response.status).toBe(502);
    expect((await response.json()).code).toBe("ERR_UPSTREAM_FAILED");
  });

  it("never ends a truncated body cleanly: the client sees the failure", async () => {
    const { proxy } = await setup((_req, res) => {
      res.writeHead(200, { "content-length": 1_000_000 });
      res.write(Buffer.alloc(100_000));
      setTimeout(() => res.socket?.destroy(), 50);
    });
    const response = await fetch(`${proxy.url}/p/truncated`, { headers: { cookie: COOKIE } });
    await expect(response.arrayBuffer()).rejects.toThrow();
  });

  it("refuses a declared body over maxRequestBytes with 413 before contacting the upstream", async () => {
    const { proxy, upstream } = await setup((_req, res) => res.end("ok"), {
      maxRequestBytes: 1000,
    });
    const response = await fetch(`${proxy.url}/p/upload`, {
      method: "POST",
      headers: { cookie: COOKIE },
      body: Buffer.alloc(1001),
    });
    expect(response.status).toBe(413);
    expect((await response.json()).code).toBe("ERR_REQUEST_TOO_LARGE");
    expect(upstream.seen).toHaveLength(0);
  });

  it("aborts a chunked upload mid-stream once it passes maxRequestBytes, answering 413", async () => {
    let upstreamGotEnd = false;
    let upstreamClosed = false;
    const { proxy, upstream } = await setup(
      (req) => {
        req.resume();
        req.on("end", () => {
          upstreamGotEnd = true;
        });
        req.socket.on("close", () => {
          upstreamClosed = true;
        });
      },
      { maxRequestBytes: 100_000 },
    );
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent >= 1_000_000) return controller.close();
        sent += 10_000;
        controller.enqueue(new Uint8Array(10_000));
        await new Promise((resolve) => setTimeout(resolve, 1));
      },
    });
    const response = await fetch(`${proxy.url}/p/upload`, {
      method: "POST",
      headers: { cookie: COOKIE },
      body,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    expect((await response.json()).code).toBe("ERR_REQUEST_TOO_LARGE");
    await waitFor(() => upstreamClosed, 1000);
    expect(upstream.seen).toHaveLength(1);
    expect(upstreamGotEnd).toBe(false);
  });

  it("keeps Content-Encoding consistent with the bytes it returns", async () => {
    const text = "compressible ".repeat(1000);
    const { proxy } = await setup((_req, res) => {
      const gz = gzipSync(text);
      res.writeHead(200, {
        "content-type": "text/plain",
        "content-encoding": "gzip",
        "content-length": gz.length,
      });
      res.end(gz);
    });
    const response = await nodeRequest(`${proxy.url}/p/gz`, {
      headers: { cookie: COOKIE, "accept-encoding": "gzip" },
    });
    const encoding = response.headers["content-encoding"];
    const decoded = encoding === "gzip" ? gunzipSync(response.body) : response.body;
    expect(decoded.toString()).toBe(text);
    if (response.headers["content-length"] !== undefined) {
      expect(Number(response.headers["content-length"])).toBe(response.body.length);
    }
    // The Node transport passes the upstream's bytes through; fetch asked for identity and,
    // the upstream compressing anyway, decoded them and dropped the header.
    expect(encoding).toBe(flavour === "node" ? "gzip" : undefined);
  });

  it("refuses a coding it cannot pass on consistently with 502 ERR_UPSTREAM_ENCODING", async () => {
    const { proxy } = await setup((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain", "content-encoding": "zstd" });
      res.end("not really zstd");
    });
    // The fetch transport always asks for identity; the Node one only where the runtime
    // drops Content-Encoding, as Next.js does (toNextHandlers says so through the context).
    const answer =
      flavour === "fetch"
        ? await fetch(`${proxy.url}/p/zstd`, { headers: { cookie: COOKIE } })
        : await proxy.proxy.handle(
            new Request(`${proxy.url}/p/zstd`, { headers: { cookie: COOKIE } }),
            { dropsContentEncoding: true },
          );
    expect(answer.status).toBe(502);
    expect((await answer.json()).code).toBe("ERR_UPSTREAM_ENCODING");
  });

  it("decodes gzip itself for a runtime that drops Content-Encoding", async () => {
    const text = "decoded ".repeat(2000);
    const { proxy, upstream } = await setup((_req, res) => {
      const gz = gzipSync(text);
      res.writeHead(200, { "content-encoding": "gzip", "content-length": gz.length });
      res.end(gz);
    });
    const answer = await proxy.proxy.handle(
      new Request(`${proxy.url}/p/gz`, { headers: { cookie: COOKIE, "accept-encoding": "gzip" } }),
      { dropsContentEncoding: true },
    );
    expect(upstream.seen[0]?.headers["accept-encoding"]).toBe("identity");
    expect(answer.headers.get("content-encoding")).toBeNull();
    expect(answer.headers.get("content-length")).toBeNull();
    expect(await answer.text()).toBe(text);
  });
});
