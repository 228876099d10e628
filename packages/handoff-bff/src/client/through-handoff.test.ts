import { afterEach, describe, expect, it, vi } from "vitest";
import {
  COOKIE,
  startProxy,
  startRawUpstream,
  startUpstream,
  type TestServer,
  waitFor,
} from "../../test/helpers.js";
import { cookieToken } from "../tokens/index.js";
import { createFetch } from "./create-fetch.js";
import { ProblemError } from "./problem-error.js";
import { readJson } from "./read-json.js";
import { streamEvents } from "./stream-events.js";

/** The client against the real proxy (the `handoff-bff` core behind node:http), not a mock of it. */
describe("handoff/client through a Handoff proxy", () => {
  const servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  async function setup(
    requireHeader: false | string | { name: string; value: string },
    upstream?: TestServer,
  ) {
    const api = upstream ?? (await startUpstream());
    const proxy = await startProxy("node", {
      upstream: api.url,
      mount: "/api/proxy",
      token: cookieToken("auth_token"),
      csrf: { requireHeader },
    });
    servers.push(proxy, api);
    return { api, proxy };
  }

  it("passes the proxy's requireHeader check on every method that the plain fetch fails", async () => {
    const { proxy } = await setup("x-csrf");
    const api = createFetch({ baseUrl: `${proxy.url}/api/proxy`, csrfHeader: true });
    for (const method of ["GET", "POST", "PATCH", "DELETE"]) {
      const plain = await fetch(`${proxy.url}/api/proxy/api/tasks`, {
        method,
        headers: { cookie: COOKIE },
      });
      expect(plain.status).toBe(403);
      expect(await plain.json()).toMatchObject({ code: "ERR_CSRF_HEADER_MISSING" });
      const wrapped = await api("/api/tasks", { method, headers: { cookie: COOKIE } });
      expect(await readJson(wrapped)).toMatchObject({ method, url: "/api/tasks" });
    }
  });

  it("matches requireHeader given as a name and value", async () => {
    const { proxy } = await setup({ name: "X-BFF", value: "on" });
    const api = createFetch({
      baseUrl: `${proxy.url}/api/proxy`,
      csrfHeader: { name: "X-BFF", value: "on" },
    });
    const response = await api("/api/tasks", { method: "POST", headers: { cookie: COOKIE } });
    expect(response.status).toBe(200);
  });

  it("runs onUnauthorized on the proxy's 401 and leaves ERR_UNAUTHENTICATED to readJson", async () => {
    const { proxy, api: upstream } = await setup(false);
    const onUnauthorized = vi.fn();
    const api = createFetch({ baseUrl: `${proxy.url}/api/proxy`, onUnauthorized });
    const response = await api("/api/tasks"); // no session cookie
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    const error = await readJson(response).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProblemError);
    expect(error).toMatchObject({ status: 401, code: "ERR_UNAUTHENTICATED" });
    expect((error as ProblemError).requestId).toMatch(/./);
    expect(upstream.seen).toHaveLength(0);
  });

  it("streams the agent's events through the proxy, and an abort reaches the upstream", async () => {
    let upstreamClosed = false;
    const upstream = await startRawUpstream((req, res) => {
      req.socket.on("close", () => {
        upstreamClosed = true;
      });
      res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8" });
      res.write('event: session\ndata: {"sessionId":"s1"}\n\n');
      res.write('event: delta\ndata: {"text":"Added "}\n\n');
      const ping = setInterval(() => res.write(": ping\n\n"), 50);
      res.on("close", () => clearInterval(ping));
    });
    const { proxy } = await setup("x-csrf", upstream);
    const api = createFetch({ baseUrl: `${proxy.url}/api/proxy`, csrfHeader: true });
    const controller = new AbortController();
    const events = await streamEvents("/v1/agent/chat", {
      fetch: api,
      method: "POST",
      headers: { cookie: COOKIE, "content-type": "application/json" },
      body: JSON.stringify({ message: "add buy milk" }),
      signal: controller.signal,
    });
    const seen: string[] = [];
    const loop = (async () => {
      for await (const event of events) {
        seen.push(event.event);
        if (event.event === "delta") controller.abort();
      }
    })();
    await expect(loop).rejects.toMatchObject({ name: "AbortError" });
    expect(seen).toEqual(["session", "delta"]);
    await waitFor(() => upstreamClosed, 2000);
    expect(upstream.seen[0]?.headers.authorization).toMatch(/^Bearer /);
    expect(upstream.seen[0]?.headers.accept).toBe("text/event-stream");
  });
});
