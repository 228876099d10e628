import type http from "node:http";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startRawUpstream, startUpstream, type TestServer, waitFor } from "../../test/helpers.js";
import { createFetch, type FetchLike } from "./create-fetch.js";
import { ProblemError } from "./problem-error.js";
import { readJson } from "./read-json.js";

const UNSAFE_AND_SAFE = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"];

/** The global fetch, recording each Request it is given. */
function recordingFetch() {
  const requests: Request[] = [];
  const send: FetchLike = (input, init) => {
    const request = new Request(input, init);
    requests.push(request.clone());
    return fetch(request);
  };
  return { requests, send };
}

describe("createFetch against a real server", () => {
  const servers: TestServer[] = [];
  afterEach(async () => {
    vi.unstubAllGlobals();
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  async function serve(
    handler?: (req: http.IncomingMessage, res: http.ServerResponse) => void,
  ): Promise<TestServer> {
    const server = await startUpstream(handler);
    servers.push(server);
    return server;
  }

  it("sends credentials: same-origin, lowering include and keeping omit", async () => {
    const server = await serve();
    const { requests, send } = recordingFetch();
    const api = createFetch({ baseUrl: server.url, fetch: send });
    await api("/a");
    await api("/b", { credentials: "include" });
    await api(new Request(`${server.url}/c`, { credentials: "include" }));
    await api("/d", { credentials: "omit" });
    expect(requests.map((request) => request.credentials)).toEqual([
      "same-origin",
      "same-origin",
      "same-origin",
      "omit",
    ]);
  });

  it("sends X-CSRF: 1 with csrfHeader: true on every method, since the proxy checks every method", async () => {
    const server = await serve();
    const api = createFetch({ baseUrl: server.url, csrfHeader: true });
    for (const method of UNSAFE_AND_SAFE) await api("/x", { method });
    expect(server.seen.map((seen) => [seen.method, seen.headers["x-csrf"]])).toEqual(
      UNSAFE_AND_SAFE.map((method) => [method, "1"]),
    );
  });

  it("sends a named header with value 1, or the given name and value", async () => {
    const server = await serve();
    await createFetch({ baseUrl: server.url, csrfHeader: "X-Requested-With" })("/a", {
      method: "POST",
    });
    await createFetch({ baseUrl: server.url, csrfHeader: { name: "x-bff", value: "yes" } })("/b");
    expect(server.seen[0]?.headers["x-requested-with"]).toBe("1");
    expect(server.seen[1]?.headers["x-bff"]).toBe("yes");
  });

  it("sends no CSRF header unless asked to", async () => {
    const server = await serve();
    await createFetch({ baseUrl: server.url })("/a", { method: "POST" });
    expect(server.seen[0]?.headers["x-csrf"]).toBeUndefined();
  });

  it("adds the CSRF header only for the page's own origin in a browser", async () => {
    const own = await serve();
    const other = await serve();
    vi.stubGlobal("location", new URL(`${own.url}/tasks`));
    const api = createFetch({ csrfHeader: true });
    await api(`${own.url}/a`, { method: "POST" });
    await api(new URL(`${other.url}/b`), { method: "POST" });
    expect(own.seen[0]?.headers["x-csrf"]).toBe("1");
    expect(other.seen[0]?.headers["x-csrf"]).toBeUndefined();
  });

  it("keeps the method, headers and body of a Request, streamed bodies included", async () => {
    const server = await serve();
    const api = createFetch({ baseUrl: server.url, csrfHeader: true });
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("streamed"));
        controller.close();
      },
    });
    await api(
      new Request(`${server.url}/upload`, {
        method: "PUT",
        headers: { "content-type": "text/plain", "if-match": '"3"' },
        body,
        duplex: "half",
      } as RequestInit),
    );
    const seen = server.seen[0];
    expect(seen?.method).toBe("PUT");
    expect(seen?.headers["if-match"]).toBe('"3"');
    expect(seen?.headers["x-csrf"]).toBe("1");
    expect(seen?.body.toString()).toBe("streamed");
  });

  it("prefixes relative strings with baseUrl and leaves absolute URLs alone", async () => {
    const server = await serve();
    const other = await serve();
    const api = createFetch({ baseUrl: `${server.url}/api/proxy/` });
    for (const input of ["/api/tasks", "api/tasks?x=1", "", "?x=1", "/tasks/"]) await api(input);
    await api(`${other.url}/abs`);
    await api(new URL(`${other.url}/url`));
    expect(server.seen.map((seen) => seen.url)).toEqual([
      "/api/proxy/api/tasks",
      "/api/proxy/api/tasks?x=1",
      "/api/proxy",
      "/api/proxy?x=1",
      "/api/proxy/tasks/",
    ]);
    expect(other.seen.map((seen) => seen.url)).toEqual(["/abs", "/url"]);
  });

  it("calls onUnauthorized once with each 401 response, before returning it unread", async () => {
    const server = await serve((req, res) => {
      if (req.url === "/me") {
        res.writeHead(401, { "content-type": "application/problem+json" });
        res.end(JSON.stringify({ status: 401, code: "ERR_UNAUTHENTICATED", detail: "Sign in." }));
      } else if (req.url === "/forbidden") {
        res.writeHead(403, { "content-type": "application/problem+json" });
        res.end(JSON.stringify({ status: 403, code: "ERR_FORBIDDEN" }));
      } else {
        res.writeHead(200, { "content-type": "application/json" });
        res.end("{}");
      }
    });
    const order: string[] = [];
    const onUnauthorized = vi.fn(async (response: Response) => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      order.push(`hook ${response.status}`);
    });
    const api = createFetch({ baseUrl: server.url, onUnauthorized });
    await api("/ok");
    await api("/forbidden");
    const response = await api("/me");
    order.push("returned");
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    expect(onUnauthorized).toHaveBeenCalledWith(response);
    expect(order).toEqual(["hook 401", "returned"]);
    const error = await readJson(response).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProblemError);
    expect(error).toMatchObject({ status: 401, code: "ERR_UNAUTHENTICATED", detail: "Sign in." });
  });

  it("rejects with the hook's error when onUnauthorized throws", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(401);
      res.end();
    });
    const api = createFetch({
      baseUrl: server.url,
      onUnauthorized: () => {
        throw new Error("hook failed");
      },
    });
    await expect(api("/me")).rejects.toThrow("hook failed");
  });

  it("passes the AbortSignal through: aborting rejects and closes the server's socket", async () => {
    let closed = false;
    const server = await startRawUpstream((req) => {
      req.socket.on("close", () => {
        closed = true;
      });
      // Never answers.
    });
    servers.push(server);
    const controller = new AbortController();
    const pending = createFetch({ baseUrl: server.url })("/slow", { signal: controller.signal });
    await waitFor(() => server.seen.length === 1);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    await waitFor(() => closed, 2000);
  });

  it("calls a given fetch as a plain function, as window.fetch requires", async () => {
    const server = await serve();
    const thisValues: unknown[] = [];
    const send = function (this: unknown, input: RequestInfo | URL, init?: RequestInit) {
      thisValues.push(this);
      return fetch(input, init);
    };
    await createFetch({ baseUrl: server.url, fetch: send })("/a");
    expect(thisValues).toEqual([undefined]);
  });
});
