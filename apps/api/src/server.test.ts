import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { onShutdownSignal, type RunningServer, startServer } from "./server.js";
import { encodeSse } from "./sse.js";

/** An SSE stream of `count` events, one every `everyMs` (forever when `count` is Infinity). */
function events(count: number, everyMs: number): Response {
  let timer: NodeJS.Timeout | undefined;
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      timer = setInterval(() => {
        sent += 1;
        controller.enqueue(new TextEncoder().encode(encodeSse({ data: String(sent) })));
        if (sent >= count) {
          clearInterval(timer);
          controller.close();
        }
      }, everyMs);
    },
    cancel() {
      clearInterval(timer);
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
}

function streamingApp(): Hono {
  const app = new Hono();
  app.get("/events", () => events(3, 100));
  app.get("/forever", () => events(Number.POSITIVE_INFINITY, 20));
  return app;
}

/** Reads a response body to the end, or to the error that cut it. */
async function readAll(response: Response): Promise<{ text: string; error?: unknown }> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text };
      text += decoder.decode(value, { stream: true });
    }
  } catch (error) {
    return { text, error };
  }
}

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.shutdown();
  server = undefined;
});

describe("startServer", () => {
  it("listens on 127.0.0.1 by default", async () => {
    server = await startServer({ app: streamingApp(), port: 0 });
    expect(server.url.hostname).toBe("127.0.0.1");
    expect(server.port).toBeGreaterThan(0);
  });

  it("lets an in-flight stream finish on shutdown and refuses new connections", async () => {
    server = await startServer({ app: streamingApp(), port: 0, drainTimeoutMs: 5_000 });
    const response = await fetch(new URL("/events", server.url));
    expect(response.status).toBe(200);
    const reading = readAll(response);

    const started = Date.now();
    const stopped = server.shutdown();
    await expect(fetch(new URL("/events", server.url))).rejects.toThrow();

    expect(await reading).toEqual({ text: "data: 1\n\ndata: 2\n\ndata: 3\n\n" });
    await stopped;
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("destroys a stream still open after the drain timeout, then resolves", async () => {
    server = await startServer({ app: streamingApp(), port: 0, drainTimeoutMs: 200 });
    const response = await fetch(new URL("/forever", server.url));
    const reading = readAll(response);
    await new Promise((resolve) => setTimeout(resolve, 50));

    const started = Date.now();
    await server.shutdown();
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(2_000);
    const { text, error } = await reading;
    expect(text).toContain("data: 1\n\n");
    expect(error).toBeDefined();
  });

  it("resolves shutdown at once when idle, and returns the same promise when called twice", async () => {
    server = await startServer({ app: streamingApp(), port: 0 });
    const first = server.shutdown();
    expect(server.shutdown()).toBe(first);
    await first;
  });

  it("rejects when the port is taken", async () => {
    server = await startServer({ app: streamingApp(), port: 0 });
    await expect(startServer({ app: streamingApp(), port: server.port })).rejects.toThrow(
      /EADDRINUSE/,
    );
  });
});

describe("onShutdownSignal", () => {
  it("calls shutdown once on the first SIGTERM or SIGINT", () => {
    const calls: string[] = [];
    const before = process.listenerCount("SIGTERM");
    const remove = onShutdownSignal((signal) => calls.push(signal));
    expect(process.listenerCount("SIGTERM")).toBe(before + 1);
    process.emit("SIGTERM");
    process.emit("SIGINT");
    expect(calls).toEqual(["SIGTERM"]);
    expect(process.listenerCount("SIGTERM")).toBe(before);
    remove();
  });
});
