import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cookieToken } from "../src/index.js";
import { toNodeListener } from "../src/node/listener.js";
import type { HandoffProxy } from "../src/proxy/index.js";
import {
  COOKIE,
  FLAVOURS,
  makeProxy,
  nodeRequest,
  startUpstream,
  type TestServer,
} from "./helpers.js";

// There are no `dropRequestHeaders` / `dropResponseHeaders` options: the recipes of
// docs/configuration.md ("Which headers pass") do their work, and are checked here.
describe.each(FLAVOURS)("dropping headers through the %s transport", (flavour) => {
  let upstream: TestServer;
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    upstream = await startUpstream((_req, res) => {
      res.writeHead(200, { server: "upstream/1.2.3", "x-powered-by": "Express", etag: '"e1"' });
      res.end("ok");
    });
    const proxy = makeProxy(flavour, {
      upstream: upstream.url,
      mount: "/api",
      token: cookieToken("auth_token"),
      headers: (outgoing) => {
        delete outgoing["user-agent"];
        delete outgoing["x-internal-debug"];
      },
    });
    const quiet: HandoffProxy = {
      async handle(request, context) {
        const response = await proxy.handle(request, context);
        response.headers.delete("server");
        response.headers.delete("x-powered-by");
        return response;
      },
    };
    server = http.createServer(toNodeListener(quiet));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await upstream.close();
  });

  it("drops request headers in the headers hook, and keeps the rest", async () => {
    await nodeRequest(`${base}/api/tasks`, {
      headers: {
        cookie: COOKIE,
        "user-agent": "ua/1",
        "x-internal-debug": "1",
        accept: "text/csv",
      },
    });
    const seen = upstream.seen.at(-1)?.headers;
    // The client's is gone; global fetch (fetchTransport) then sends its own, "node".
    expect(seen?.["user-agent"]).not.toBe("ua/1");
    expect(seen?.["x-internal-debug"]).toBeUndefined();
    expect(seen?.accept).toBe("text/csv");
    expect(seen?.authorization).toMatch(/^Bearer /);
  });

  it("drops response headers from the Response that handle returns, body intact", async () => {
    const response = await nodeRequest(`${base}/api/tasks`, { headers: { cookie: COOKIE } });
    expect(response.status).toBe(200);
    expect(response.headers.server).toBeUndefined();
    expect(response.headers["x-powered-by"]).toBeUndefined();
    expect(response.headers.etag).toBe('"e1"');
    expect(response.body.toString()).toBe("ok");
  });
});
