import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cookieToken, createProxy } from "../src/index.js";
import type { ProxyOptions } from "../src/proxy/index.js";
import {
  COOKIE,
  FLAVOURS,
  makeProxy,
  nodeRequest,
  rawExchange,
  startProxy,
  startUpstream,
  type TestServer,
} from "./helpers.js";

/** The upstream: answers by path, with or without `Cache-Control`. */
const startCacheUpstream = () =>
  startUpstream((req, res, seen) => {
    const url = seen.url.replace(/^\/v1/, "");
    const json = { "content-type": "application/json" };
    if (url === "/public") {
      res.writeHead(200, { ...json, "cache-control": "public, max-age=60" });
    } else if (url === "/etag") {
      // Revalidation: a 304 that, like many servers' (RFC 9110 §15.4.5 allows it when
      // nothing changed), repeats no Cache-Control.
      if (req.headers["if-none-match"] === '"v1"') {
        res.writeHead(304, { etag: '"v1"' });
        return void res.end();
      }
      res.writeHead(200, { ...json, etag: '"v1"', "cache-control": "private, no-cache" });
    } else if (url === "/etag-with-policy") {
      res.writeHead(304, { etag: '"v1"', "cache-control": "private, max-age=0" });
      return void res.end();
    } else if (url === "/missing") {
      res.writeHead(404, json);
    } else {
      res.writeHead(200, json);
    }
    res.end(req.method === "HEAD" ? undefined : "{}");
  });

describe.each(FLAVOURS)("caching of answers through the %s transport", (flavour) => {
  let upstream: TestServer;
  let proxy: TestServer;
  let off: TestServer;

  beforeAll(async () => {
    upstream = await startCacheUpstream();
    const options: ProxyOptions = {
      upstream: `${upstream.url}/v1`,
      mount: "/api",
      token: cookieToken("auth_token"),
    };
    proxy = await startProxy(flavour, options);
    off = await startProxy(flavour, { ...options, defaultCacheControl: false });
  });
  afterAll(async () => {
    await Promise.all([proxy.close(), off.close(), upstream.close()]);
  });

  const get = (server: TestServer, path: string, headers: Record<string, string> = {}) =>
    nodeRequest(`${server.url}${path}`, { headers: { cookie: COOKIE, ...headers } });

  it("marks an answer without Cache-Control private, no-store", async () => {
    for (const path of ["/api/none", "/api/missing"]) {
      const response = await get(proxy, path);
      expect(response.status).toBe(path === "/api/none" ? 200 : 404);
      expect(response.headers["cache-control"]).toBe("private, no-store");
    }
    const head = await nodeRequest(`${proxy.url}/api/none`, {
      method: "HEAD",
      headers: { cookie: COOKIE },
    });
    expect(head.headers["cache-control"]).toBe("private, no-store");
  });

  it("passes the upstream's own Cache-Control unchanged, and only it", async () => {
    const response = await get(proxy, "/api/public");
    expect(response.status).toBe(200);
    expect(response.headers["cache-control"]).toBe("public, max-age=60");
    expect(response.headers["x-request-id"]).toBeDefined();
  });

  it("adds nothing when defaultCacheControl is false", async () => {
    const none = await get(off, "/api/none");
    expect(none.status).toBe(200);
    expect(none.headers["cache-control"]).toBeUndefined();
    expect((await get(off, "/api/public")).headers["cache-control"]).toBe("public, max-age=60");
  });

  it("keeps revalidation working: a 304 gets no Cache-Control of the proxy's", async () => {
    const first = await get(proxy, "/api/etag");
    expect(first.status).toBe(200);
    expect(first.headers["cache-control"]).toBe("private, no-cache");
    const again = await get(proxy, "/api/etag", { "if-none-match": '"v1"' });
    expect(again.status).toBe(304);
    expect(again.headers.etag).toBe('"v1"');
    expect(again.headers["cache-control"]).toBeUndefined();
    expect(again.body.length).toBe(0);
    const withPolicy = await get(proxy, "/api/etag-with-policy");
    expect(withPolicy.status).toBe(304);
    expect(withPolicy.headers["cache-control"]).toBe("private, max-age=0");
  });

  it("marks the proxy's own problem answers no-store, before and after the token", async () => {
    const unauthenticated = await nodeRequest(`${proxy.url}/api/none`);
    expect(unauthenticated.status).toBe(401);
    expect(JSON.parse(unauthenticated.body.toString()).code).toBe("ERR_UNAUTHENTICATED");
    expect(unauthenticated.headers["cache-control"]).toBe("no-store");
    // The listener's own refusal, before the proxy runs.
    const absolute = await rawExchange(
      proxy.port,
      `GET http://127.0.0.1:${upstream.port}/x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
    );
    expect(absolute).toMatch(/^HTTP\/1\.1 400 /);
    expect(absolute).toContain('"code":"ERR_AMBIGUOUS_PATH"');
    expect(absolute.toLowerCase()).toContain("\r\ncache-control: no-store\r\n");
  });

  it("marks answers the same way without the Node listener (proxy.handle)", async () => {
    const bare = makeProxy(flavour, {
      upstream: `${upstream.url}/v1`,
      token: cookieToken("auth_token"),
      defaultCacheControl: "private, no-cache",
    });
    const request = (path: string) =>
      new Request(`http://127.0.0.1${path}`, { headers: { cookie: COOKIE } });
    const none = await bare.handle(request("/none"));
    await none.arrayBuffer();
    expect(none.headers.get("cache-control")).toBe("private, no-cache");
    const kept = await bare.handle(request("/public"));
    await kept.arrayBuffer();
    expect(kept.headers.get("cache-control")).toBe("public, max-age=60");
  });
});

it.each([[""], [" private"], ["private\r\nSet-Cookie: a=b"], [true], [0]])(
  "refuses an unusable defaultCacheControl at creation: %j",
  (value) => {
    expect(() =>
      createProxy({
        upstream: "http://127.0.0.1:1",
        token: () => "t",
        defaultCacheControl: value as string,
      }),
    ).toThrow(expect.objectContaining({ code: "ERR_INVALID_CONFIG" }));
  },
);
