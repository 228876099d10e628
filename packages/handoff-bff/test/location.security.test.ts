import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cookieToken } from "../src/index.js";
import {
  COOKIE,
  FLAVOURS,
  nodeRequest,
  startProxy,
  startUpstream,
  type TestServer,
} from "./helpers.js";

// `rewriteLocation` (on by default) maps a Location that points into the upstream back under
// the mount. It is security-relevant twice over: it must leave every other Location as the
// upstream sent it, and it must never make the proxy send a request of its own.
describe.each(FLAVOURS)("Location rewriting through the %s transport", (flavour) => {
  let upstream: TestServer;
  let canary: TestServer;
  /** mount "/api/proxy", upstream base path "/v1", rewriting on (the default). */
  let mounted: TestServer;
  /** mount "" (the proxy owns the whole server), base path "/v1". */
  let whole: TestServer;
  /** rewriteLocation: false. */
  let verbatim: TestServer;
  /** What `/v1/case/<n>` answers as its Location. */
  const locations: string[] = [];

  beforeAll(async () => {
    canary = await startUpstream();
    upstream = await startUpstream((_req, res, seen) => {
      const n = /^\/v1\/case\/(\d+)$/.exec(seen.url)?.[1];
      const location = n === undefined ? undefined : locations[Number(n)];
      if (location === undefined) return void res.writeHead(404).end();
      res.writeHead(seen.method === "POST" ? 201 : 302, { location });
      res.end();
    });
    const options = { upstream: `${upstream.url}/v1`, token: cookieToken("auth_token") };
    [mounted, whole, verbatim] = await Promise.all([
      startProxy(flavour, { ...options, mount: "/api/proxy" }),
      startProxy(flavour, { ...options, mount: "" }),
      startProxy(flavour, { ...options, mount: "/api/proxy", rewriteLocation: false }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([mounted, whole, verbatim, upstream, canary].map((server) => server.close()));
  });

  /** The Location the client receives when the upstream answers `location`. */
  async function through(proxy: TestServer, location: string, method = "GET") {
    locations.push(location);
    const n = locations.length - 1;
    const path = proxy === whole ? `/case/${n}` : `/api/proxy/case/${n}`;
    const before = upstream.seen.length;
    const response = await nodeRequest(`${proxy.url}${path}`, {
      method,
      headers: { cookie: COOKIE },
    });
    expect(response.status).toBe(method === "POST" ? 201 : 302);
    // One request upstream, the client's own; the proxy follows nothing.
    expect(upstream.seen.length).toBe(before + 1);
    return response.headers.location;
  }

  it.each([
    ["an absolute URL into the base path", (u: string) => `${u}/v1/tasks/7`, "/api/proxy/tasks/7"],
    [
      "one with query and fragment",
      (u: string) => `${u}/v1/tasks/7?x=1#f`,
      "/api/proxy/tasks/7?x=1#f",
    ],
    ["the base path itself", (u: string) => `${u}/v1`, "/api/proxy"],
    ["a path under the base path", () => "/v1/tasks/7", "/api/proxy/tasks/7"],
    ["the base path with a query", () => "/v1?page=2", "/api/proxy?page=2"],
  ])("maps %s under the mount", async (_, location, expected) => {
    expect(await through(mounted, location(upstream.url))).toBe(expected);
  });

  it("maps the Location of a 201 Created too", async () => {
    expect(await through(mounted, "/v1/tasks/8", "POST")).toBe("/api/proxy/tasks/8");
  });

  it.each([
    ["another host", () => "https://elsewhere.example/v1/tasks"],
    ["the same host on another port", () => `${canary.url}/v1/tasks`],
    ["another name for the same host", () => `http://localhost:${upstream.port}/v1/tasks`],
    ["the upstream's origin as userinfo", (u: string) => `${u}@evil.example/v1/tasks`],
    ["the upstream's origin as a host prefix", (u: string) => `${u}.evil.example/v1/tasks`],
    ["another scheme", (u: string) => `${u.replace("http:", "https:")}/v1/tasks`],
    ["the upstream outside the base path", (u: string) => `${u}/v2/tasks`],
    ["a path outside the base path", () => "/v2/tasks"],
    ["a path that only starts like the base path", () => "/v10/tasks"],
    ["a network-path reference", () => "//evil.example/v1/tasks"],
    ["a relative reference", () => "tasks/7"],
    ["a javascript: URL", () => "javascript:alert(1)"],
  ])("leaves a Location to %s as the upstream sent it", async (_, location) => {
    const sent = location(upstream.url);
    expect(await through(mounted, sent)).toBe(sent);
    expect(canary.seen).toHaveLength(0);
  });

  it.each([
    ["a doubled slash", (u: string) => `${u}/v1//evil.example/x`],
    ["a doubled slash after a path", () => "/v1//evil.example/x"],
    ["a backslash", () => "/v1/\\evil.example/x"],
    ["a tab between the slashes", () => "/v1/\t/evil.example/x"],
  ])("never turns a path into another site's URL: %s", async (_, location) => {
    const sent = location(upstream.url);
    const received = String(await through(whole, sent));
    // Resolved as a browser would, from a page of the app: the app's origin or the upstream's.
    const landed = new URL(received, "http://app.test").origin;
    expect(["http://app.test", upstream.url]).toContain(landed);
    expect(received).toBe(sent);
  });

  it("still maps a plain path when the proxy owns the whole server", async () => {
    expect(await through(whole, `${upstream.url}/v1/tasks/7`)).toBe("/tasks/7");
  });

  it("passes every Location unchanged with rewriteLocation: false", async () => {
    const into = `${upstream.url}/v1/tasks/7`;
    expect(await through(verbatim, into)).toBe(into);
    expect(await through(verbatim, "/v1/tasks/7")).toBe("/v1/tasks/7");
  });

  it("sends nothing of its own: neither the canary nor a redirect target hears from it", () => {
    expect(canary.seen).toHaveLength(0);
    expect(upstream.seen.every((seen) => seen.url.startsWith("/v1/case/"))).toBe(true);
    expect(upstream.seen).toHaveLength(locations.length);
  });
});
