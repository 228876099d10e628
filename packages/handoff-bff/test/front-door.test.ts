import http from "node:http";
import net from "node:net";
import type { Duplex } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cookieToken, createProxy } from "../src/index.node.js";
import { createFrontDoor, type FrontDoorProxy } from "../src/node/front-door.js";
import {
  COOKIE,
  listenOn,
  nodeRequest,
  rawExchange,
  recordingFallback,
  type Seen,
  startUpstream,
  type TestServer,
  TOKEN,
} from "./helpers.js";

// The conformance and security suites also run through the front door (proxy.test.ts,
// proxy.security.test.ts); these are the front door's own cases: routing, the fallback,
// upgrades, configuration.

let upstream: TestServer;
let admin: TestServer;
let canary: TestServer;
let door: TestServer;
const fallback: Seen[] = [];
const upgrades: string[] = [];
const claimed: string[] = [];
const urls: string[] = [];

beforeAll(async () => {
  [upstream, admin, canary] = await Promise.all([
    startUpstream(),
    startUpstream(),
    startUpstream(),
  ]);
  const proxy = createProxy({
    upstream: `${upstream.url}/v1`,
    mount: "/api/proxy",
    token: (request) => {
      urls.push(request.url);
      return cookieToken("auth_token")(request);
    },
  });
  const nested = createProxy({
    upstream: admin.url,
    mount: "/api/proxy/admin",
    token: () => TOKEN,
  });
  const sockets: FrontDoorProxy = {
    ...createProxy({ upstream: canary.url, mount: "/live", token: () => TOKEN }),
    upgrade(req, socket) {
      claimed.push(req.url ?? "");
      socket.end(
        "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n",
      );
    },
  };
  const recorder = recordingFallback(fallback);
  const front = createFrontDoor({
    proxies: [proxy, nested, sockets],
    fallback: {
      request(req, res) {
        if (req.url === "/throws") throw new Error("the app failed");
        recorder.request(req, res);
      },
      upgrade(req: http.IncomingMessage, socket: Duplex) {
        upgrades.push(req.url ?? "");
        socket.end(
          "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: app\r\n\r\n",
        );
      },
    },
    trustForwarded: true,
  });
  door = await listenOn(http.createServer(front.listener).on("upgrade", front.upgrade));
});
afterAll(async () => {
  await Promise.all([door.close(), upstream.close(), admin.close(), canary.close()]);
});

const raw = (target: string, extra = "") =>
  rawExchange(
    door.port,
    `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${door.port}\r\nCookie: ${COOKIE}\r\n${extra}Connection: close\r\n\r\n`,
  );

describe("createFrontDoor", () => {
  it("hands a request outside the mounts to the fallback untouched: method, raw URL, headers, body", async () => {
    const body = Buffer.from([0, 1, 2, 255, 13, 10]);
    const target = "/dashboard/a%2Fb?x=1&x=2&y=%20z+w&flag";
    const response = await nodeRequest(`${door.url}${target}`, {
      method: "PATCH",
      headers: {
        cookie: COOKIE,
        "x-forwarded-for": "203.0.113.7",
        "content-type": "application/octet-stream",
        "x-custom": "kept",
      },
      body,
    });
    expect(response.headers["x-fallback"]).toBe("1");
    const seen = fallback.at(-1) as Seen;
    expect(seen.method).toBe("PATCH");
    expect(seen.url).toBe(target);
    expect(seen.headers.cookie).toBe(COOKIE);
    expect(seen.headers["x-forwarded-for"]).toBe("203.0.113.7");
    expect(seen.headers["x-custom"]).toBe("kept");
    expect(seen.body.equals(body)).toBe(true);
    expect(upstream.seen).toHaveLength(0);
  });

  it("sends a path under the mount to the proxy, raw query and all, and not to the fallback", async () => {
    const before = fallback.length;
    const response = await raw("/api/proxy/tasks?b=%20x+y&a=1&a=2", "X-Forwarded-For: 6.6.6.6\r\n");
    expect(response).toMatch(/^HTTP\/1\.1 200 /);
    const seen = upstream.seen.at(-1) as Seen;
    expect(seen.url).toBe("/v1/tasks?b=%20x+y&a=1&a=2");
    expect(seen.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(seen.headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(fallback.length).toBe(before);
  });

  it("treats a path that only shares a mount's prefix as outside it", async () => {
    const response = await raw("/api/proxyx/tasks");
    expect(response).toContain("x-fallback: 1");
    expect(fallback.at(-1)?.url).toBe("/api/proxyx/tasks");
  });

  it("sends a path to the longest mount it is under", async () => {
    await raw("/api/proxy/admin/users");
    expect(admin.seen.at(-1)?.url).toBe("/users");
    await raw("/api/proxy/administrators");
    expect(upstream.seen.at(-1)?.url).toBe("/v1/administrators");
  });

  it.each([
    ["an encoded letter", "/api/%70roxy/tasks"],
    ["a dot segment before it", "/x/../api/proxy/tasks"],
    ["an encoded slash after the mount", "/api/proxy%2Ftasks"],
    ["a double-encoded slash", "/api/proxy%252Ftasks"],
    ["a leading empty segment", "//api/proxy/tasks"],
    ["an inner empty segment", "/api//proxy/tasks"],
    ["a backslash", "/api\\proxy/tasks"],
    ["an encoded dot segment", "/static/%2e%2e/api/proxy"],
    ["an encoded newline", "/api/pro%0axy/tasks"],
    ["a fragment mark", "/api/proxy#x"],
  ])("refuses a path outside the mounts that reads as under one: %s", async (_name, target) => {
    const before = { fallback: fallback.length, upstream: upstream.seen.length };
    const response = await raw(target);
    expect(response).toMatch(/^HTTP\/1\.1 400 /);
    expect(response).toContain('"code":"ERR_AMBIGUOUS_PATH"');
    expect(fallback.length).toBe(before.fallback);
    expect(upstream.seen.length).toBe(before.upstream);
  });

  it("hands escapes and dots outside every mount to the fallback", async () => {
    for (const target of ["/docs/a%20b", "/files/%2e%2e/x", "/a//b", "/_next/static/x.js"]) {
      const response = await raw(target);
      expect(response, target).toContain("x-fallback: 1");
      expect(fallback.at(-1)?.url).toBe(target);
    }
  });

  it("keeps a failure of the fallback to its own exchange", async () => {
    expect(await raw("/throws")).toMatch(/^HTTP\/1\.1 500 /);
    expect(await raw("/after")).toContain("x-fallback: 1");
  });

  it("gives the proxy the public scheme from X-Forwarded-Proto when trustForwarded is set", async () => {
    await raw("/api/proxy/tasks", "X-Forwarded-Proto: https\r\n");
    expect(urls.at(-1)).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/api\/proxy\/tasks$/);
    await raw("/api/proxy/tasks", "X-Forwarded-Proto: gopher\r\n");
    expect(urls.at(-1)).toMatch(/^http:\/\//);
  });
});

describe("upgrades through the front door", () => {
  const ask = (target: string, extra = "") =>
    new Promise<string>((resolve, reject) => {
      const socket = net.connect(door.port, "127.0.0.1", () =>
        socket.write(
          `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${COOKIE}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n${extra}\r\n`,
        ),
      );
      let data = "";
      socket.setTimeout(5000, () => reject(new Error("no answer")));
      socket.on("data", (chunk) => {
        data += chunk.toString("latin1");
      });
      socket.on("error", reject);
      socket.on("close", () => resolve(data));
    });

  it("hands an upgrade outside the mounts to the fallback's upgrade handler", async () => {
    const answer = await ask("/_next/webpack-hmr?page=/");
    expect(answer).toMatch(/^HTTP\/1\.1 101 /);
    expect(upgrades.at(-1)).toBe("/_next/webpack-hmr?page=/");
  });

  it("lets a proxy claim the upgrades under its mount through its upgrade hook", async () => {
    const answer = await ask("/live/feed");
    expect(answer).toContain("Upgrade: test");
    expect(claimed.at(-1)).toBe("/live/feed");
    expect(upgrades).not.toContain("/live/feed");
  });

  it("answers an upgrade under a mount whose proxy claims none as an ordinary request", async () => {
    const before = upgrades.length;
    const answer = await ask("/api/proxy/tasks?raw=%20");
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    const seen = upstream.seen.at(-1) as Seen;
    expect(seen.url).toBe("/v1/tasks?raw=%20");
    expect(seen.headers.upgrade).toBeUndefined();
    expect(seen.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(upgrades.length).toBe(before);
  });

  it("refuses an upgrade under a mount that carries a body, contacting nothing", async () => {
    const before = upstream.seen.length;
    const answer = await ask("/api/proxy/tasks", "Content-Length: 5\r\n");
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('"code":"ERR_REQUEST_BODY"');
    expect(upstream.seen.length).toBe(before);
  });

  it("refuses an upgrade outside the mounts that reads as under one", async () => {
    const answer = await ask("/api/%70roxy/tasks");
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(upgrades).not.toContain("/api/%70roxy/tasks");
  });

  it("answers an upgrade as an ordinary request when the fallback has no upgrade handler", async () => {
    const seen: Seen[] = [];
    const front = createFrontDoor({ proxies: [], fallback: recordingFallback(seen) });
    const server = await listenOn(http.createServer(front.listener).on("upgrade", front.upgrade));
    const answer = await rawExchange(
      server.port,
      "GET /page HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
    );
    expect(answer).toMatch(/^HTTP\/1\.1 404 /);
    expect(seen.at(-1)?.url).toBe("/page");
    await server.close();
  });
});

describe("front door configuration", () => {
  it.each([
    ["a proxy without a mount", () => [createProxy({ upstream: "http://x", token: () => "t" })]],
    ["a hand-written proxy without a mount", () => [{ handle: async () => new Response() }]],
    [
      "two proxies on one mount",
      () => [
        createProxy({ upstream: "http://x", mount: "/api", token: () => "t" }),
        createProxy({ upstream: "http://y", mount: "/api/", token: () => "t" }),
      ],
    ],
  ])("refuses %s with ERR_INVALID_CONFIG", (_name, proxies) => {
    expect(() => createFrontDoor({ proxies: proxies(), fallback: { request: () => {} } })).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_CONFIG" }),
    );
  });
});

describe("serveWithNext and Next's own upgrade listener", () => {
  it("keeps the front door the only upgrade listener after Next handles its first request", async () => {
    // What Next's getRequestHandler does on its first request (setupWebSocketHandler): it adds
    // an upgrade listener to the server the request came through.
    let nextUpgrades = 0;
    const nextApp = {
      prepare: async () => {},
      getRequestHandler: () => async (req: http.IncomingMessage, res: http.ServerResponse) => {
        const server = (req.socket as net.Socket & { server?: http.Server }).server;
        server?.on("upgrade", (_req: http.IncomingMessage, socket: Duplex) => {
          nextUpgrades++;
          socket.destroy();
        });
        res.end("next");
      },
      getUpgradeHandler: () => async (_req: http.IncomingMessage, socket: Duplex) => {
        socket.end("HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n");
      },
    };
    const { serveWithNext } = await import("../src/node/serve-with-next.js");
    const server = await serveWithNext({
      next: nextApp,
      proxies: [],
      port: 0,
      hostname: "127.0.0.1",
    });
    try {
      const { port } = server.address() as net.AddressInfo;
      const page = await fetch(`http://127.0.0.1:${port}/page`);
      expect(await page.text()).toBe("next");
      await new Promise((resolve) => setImmediate(resolve));
      expect(server.listeners("upgrade")).toHaveLength(1);
      expect(nextUpgrades).toBe(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
