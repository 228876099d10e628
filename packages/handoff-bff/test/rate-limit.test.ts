import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { RateLimitOptions, RateLimitStore, TokenSource } from "../src/index.js";
import {
  FLAVOURS,
  makeProxy,
  nodeRequest,
  startProxy,
  startUpstream,
  type TestServer,
} from "./helpers.js";

let upstream: TestServer;
beforeAll(async () => {
  upstream = await startUpstream();
});
afterAll(() => upstream.close());

// Only `Date` is faked: windows end when the test says so, sockets and timers run as usual.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
  upstream.seen.length = 0;
});
afterEach(() => {
  vi.useRealTimers();
});

/** The bearer token is the `sid` cookie, so each test can play several sessions. */
const sidToken: TokenSource = (request) =>
  /sid=(\w+)/.exec(request.headers.get("cookie") ?? "")?.[1] ?? null;

const send = (
  proxy: { handle(request: Request, context?: { clientAddress?: string }): Promise<Response> },
  options: { sid?: string; ip?: string; headers?: Record<string, string> } = {},
) =>
  proxy.handle(
    new Request("http://app.example/api/proxy/tasks", {
      headers: { ...(options.sid ? { cookie: `sid=${options.sid}` } : {}), ...options.headers },
    }),
    options.ip === undefined ? {} : { clientAddress: options.ip },
  );

describe.each(FLAVOURS)("rate limits through proxy.handle (%s transport)", (flavour) => {
  const proxyWith = (rateLimit: RateLimitOptions, token: TokenSource = sidToken) =>
    makeProxy(flavour, { upstream: upstream.url, mount: "/api/proxy", token, rateLimit });

  it("answers 429 with Retry-After once an address has used its limit, without the upstream", async () => {
    const proxy = proxyWith({ perIp: { limit: 3, windowSeconds: 60 } });
    for (let i = 0; i < 3; i++)
      expect((await send(proxy, { sid: "a", ip: "203.0.113.7" })).status).toBe(200);
    vi.advanceTimersByTime(10_000);
    const refused = await send(proxy, { sid: "a", ip: "203.0.113.7" });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(refused.headers.get("retry-after")).toBe("50");
    expect(refused.headers.get("ratelimit-policy")).toBe('"ip";q=3;w=60');
    expect(refused.headers.get("ratelimit")).toBe('"ip";r=0;t=50');
    const body = await refused.json();
    expect(body).toMatchObject({ status: 429, code: "ERR_RATE_LIMITED" });
    expect(upstream.seen).toHaveLength(3);
  });

  it("allows an address again once its window has passed", async () => {
    const proxy = proxyWith({ perIp: { limit: 1, windowSeconds: 2 } });
    expect((await send(proxy, { sid: "a", ip: "203.0.113.7" })).status).toBe(200);
    expect((await send(proxy, { sid: "a", ip: "203.0.113.7" })).status).toBe(429);
    vi.advanceTimersByTime(1_999);
    const late = await send(proxy, { sid: "a", ip: "203.0.113.7" });
    expect(late.status).toBe(429);
    expect(late.headers.get("retry-after")).toBe("1"); // 1 ms left: still a whole second
    vi.advanceTimersByTime(1);
    expect((await send(proxy, { sid: "a", ip: "203.0.113.7" })).status).toBe(200);
    expect(upstream.seen).toHaveLength(2);
  });

  it("counts addresses apart, IPv6 clients per /56", async () => {
    const proxy = proxyWith({ perIp: { limit: 1, windowSeconds: 60 } });
    expect((await send(proxy, { sid: "a", ip: "203.0.113.7" })).status).toBe(200);
    expect((await send(proxy, { sid: "a", ip: "203.0.113.8" })).status).toBe(200);
    expect((await send(proxy, { sid: "a", ip: "::ffff:203.0.113.8" })).status).toBe(429);
    expect((await send(proxy, { sid: "a", ip: "2001:db8:1:100::1" })).status).toBe(200);
    expect((await send(proxy, { sid: "a", ip: "2001:db8:1:1ff::2" })).status).toBe(429);
    expect((await send(proxy, { sid: "a", ip: "2001:db8:1:200::1" })).status).toBe(200);
  });

  it("counts sessions apart, by their token", async () => {
    const proxy = proxyWith({ perSession: { limit: 2, windowSeconds: 60 } });
    expect((await send(proxy, { sid: "alice" })).status).toBe(200);
    expect((await send(proxy, { sid: "alice" })).status).toBe(200);
    const refused = await send(proxy, { sid: "alice" });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("ratelimit-policy")).toBe('"session";q=2;w=60');
    expect((await send(proxy, { sid: "bob" })).status).toBe(200);
    expect(upstream.seen).toHaveLength(3);
  });

  it("does not count requests without a token per session: they get 401", async () => {
    const proxy = proxyWith({ perSession: { limit: 1, windowSeconds: 60 } });
    for (let i = 0; i < 3; i++) expect((await send(proxy)).status).toBe(401);
    expect((await send(proxy, { sid: "alice" })).status).toBe(200);
  });

  it("checks the address before the token source runs, sparing the session store", async () => {
    let lookups = 0;
    const counting: TokenSource = async (request) => {
      lookups += 1;
      return sidToken(request);
    };
    const proxy = proxyWith({ perIp: { limit: 2, windowSeconds: 60 } }, counting);
    expect((await send(proxy, { sid: "forged1", ip: "203.0.113.7" })).status).toBe(200);
    expect((await send(proxy, { ip: "203.0.113.7" })).status).toBe(401);
    for (let i = 0; i < 5; i++) {
      expect((await send(proxy, { sid: `forged${i}`, ip: "203.0.113.7" })).status).toBe(429);
    }
    expect(lookups).toBe(2);
  });

  it("applies both limits, the address first", async () => {
    const proxy = proxyWith({
      perIp: { limit: 3, windowSeconds: 60 },
      perSession: { limit: 1, windowSeconds: 60 },
    });
    expect((await send(proxy, { sid: "alice", ip: "203.0.113.7" })).status).toBe(200);
    const session = await send(proxy, { sid: "alice", ip: "203.0.113.7" });
    expect(session.headers.get("ratelimit-policy")).toBe('"session";q=1;w=60');
    expect((await send(proxy, { sid: "bob", ip: "203.0.113.7" })).status).toBe(200);
    const ip = await send(proxy, { sid: "carol", ip: "203.0.113.7" });
    expect(ip.headers.get("ratelimit-policy")).toBe('"ip";q=3;w=60');
  });

  it("uses clientIp when given; a null answer exempts the request", async () => {
    const proxy = proxyWith({
      perIp: { limit: 1, windowSeconds: 60 },
      clientIp: (request) => request.headers.get("x-real-ip"),
    });
    const ip = (value: string) => ({ sid: "a", headers: { "x-real-ip": value } });
    expect((await send(proxy, ip("198.51.100.1"))).status).toBe(200);
    expect((await send(proxy, ip("198.51.100.1"))).status).toBe(429);
    expect((await send(proxy, ip("198.51.100.2"))).status).toBe(200);
    expect((await send(proxy, { sid: "a" })).status).toBe(200);
    expect((await send(proxy, { sid: "a" })).status).toBe(200);
  });

  it("with trustForwarded, counts the rightmost X-Forwarded-For entry, which the proxy in front appended", async () => {
    const proxy = makeProxy(flavour, {
      upstream: upstream.url,
      mount: "/api/proxy",
      token: sidToken,
      trustForwarded: true,
      rateLimit: { perIp: { limit: 1, windowSeconds: 60 } },
    });
    const via = (xff: string) => ({
      sid: "a",
      ip: "10.0.0.2",
      headers: { "x-forwarded-for": xff },
    });
    expect((await send(proxy, via("198.51.100.1"))).status).toBe(200);
    // What the client wrote to the left changes nothing.
    expect((await send(proxy, via("6.6.6.6, 198.51.100.1"))).status).toBe(429);
    expect((await send(proxy, via("198.51.100.1, 198.51.100.2"))).status).toBe(200);
  });

  it("refuses per-address limiting with 500 when no address is known, failing closed", async () => {
    const proxy = proxyWith({ perIp: { limit: 100, windowSeconds: 60 } });
    const response = await send(proxy, { sid: "a" }); // as under Next.js: no socket address
    expect(response.status).toBe(500);
    expect((await response.json()).code).toBe("ERR_INVALID_CONFIG");
    expect(upstream.seen).toHaveLength(0);
  });

  it("counts through a store of your own, also an async one", async () => {
    const counts = new Map<string, number>();
    const keys: string[] = [];
    const store: RateLimitStore = {
      async hit(key, windowMs) {
        keys.push(key);
        counts.set(key, (counts.get(key) ?? 0) + 1);
        return { count: counts.get(key) ?? 0, resetAt: Date.now() + windowMs };
      },
    };
    const proxy = proxyWith({
      perIp: { limit: 5, windowSeconds: 60 },
      perSession: { limit: 1, windowSeconds: 30 },
      store,
    });
    expect((await send(proxy, { sid: "secret_token", ip: "203.0.113.7" })).status).toBe(200);
    const refused = await send(proxy, { sid: "secret_token", ip: "203.0.113.7" });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("30");
    expect(keys[0]).toBe("ip:203.0.113.7");
    expect(keys[1]).toMatch(/^session:[\w-]{43}$/);
    expect(keys.join()).not.toContain("secret_token"); // the store never sees the token
  });

  it("answers 500 ERR_INTERNAL when the store fails, without the upstream", async () => {
    const proxy = proxyWith({
      perIp: { limit: 5, windowSeconds: 60 },
      store: { hit: () => Promise.reject(new Error("redis down")) },
    });
    const response = await send(proxy, { sid: "a", ip: "203.0.113.7" });
    expect(response.status).toBe(500);
    expect((await response.json()).code).toBe("ERR_INTERNAL");
    expect(upstream.seen).toHaveLength(0);
  });
});

describe("rate limit options", () => {
  const create = (rateLimit: unknown) => () =>
    makeProxy("fetch", {
      upstream: "http://127.0.0.1:1",
      token: sidToken,
      rateLimit: rateLimit as RateLimitOptions,
    });

  it.each([
    ["no rule", {}],
    ["a zero limit", { perIp: { limit: 0, windowSeconds: 1 } }],
    ["a fractional limit", { perSession: { limit: 1.5, windowSeconds: 1 } }],
    ["a zero window", { perIp: { limit: 1, windowSeconds: 0 } }],
    ["a store without hit()", { perIp: { limit: 1, windowSeconds: 1 }, store: {} }],
    ["a clientIp that is no function", { perIp: { limit: 1, windowSeconds: 1 }, clientIp: "x" }],
    ["an IPv6 subnet over 128", { perIp: { limit: 1, windowSeconds: 1 }, ipv6Subnet: 129 }],
  ])("refuses %s at creation", (_name, rateLimit) => {
    expect(create(rateLimit)).toThrow(expect.objectContaining({ code: "ERR_INVALID_CONFIG" }));
  });
});

describe.each(FLAVOURS)("rate limits on real sockets through toNodeListener (%s)", (flavour) => {
  let proxy: TestServer;
  beforeAll(async () => {
    proxy = await startProxy(flavour, {
      upstream: upstream.url,
      mount: "/api/proxy",
      token: sidToken,
      rateLimit: {
        perIp: { limit: 4, windowSeconds: 60 },
        perSession: { limit: 2, windowSeconds: 60 },
      },
    });
  });
  afterAll(() => proxy.close());

  it("limits by the socket's address and by session, and the upstream sees nothing more", async () => {
    const get = (sid: string, headers: Record<string, string> = {}) =>
      nodeRequest(`${proxy.url}/api/proxy/tasks`, {
        headers: { cookie: `sid=${sid}`, ...headers },
      });
    expect((await get("alice")).status).toBe(200);
    expect((await get("alice")).status).toBe(200);
    const session = await get("alice");
    expect(session.status).toBe(429);
    expect(session.headers["retry-after"]).toBe("60");
    expect(JSON.parse(session.body.toString()).code).toBe("ERR_RATE_LIMITED");
    // A forged X-Forwarded-For does not make a new client: the socket's address counts.
    expect((await get("bob", { "x-forwarded-for": "198.51.100.9" })).status).toBe(200);
    const ip = await get("carol", { "x-forwarded-for": "198.51.100.10" });
    expect(ip.status).toBe(429);
    expect(ip.headers.ratelimit).toBe('"ip";r=0;t=60');
    expect(upstream.seen).toHaveLength(3);

    vi.advanceTimersByTime(60_000);
    expect((await get("alice")).status).toBe(200);
    expect(upstream.seen).toHaveLength(4);
  });
});
