import { type RedisServer, startRedisServer } from "@handoff/db-kit/testing";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import { betterAuthToken, cookieToken, createProxy, type RateLimitStore } from "../src/index.js";
import { redisRateLimitStore } from "../src/redis/index.js";
import { makeAuth, withCookie } from "./better-auth.js";
import { startUpstream, type TestServer } from "./helpers.js";
import { eventually, redisClients, uniquePrefix } from "./redis-clients.js";

const shared = redisClients(inject("redisUrl"));
let upstream: TestServer | undefined;
let own: RedisServer | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await shared.closeAll();
  await upstream?.close();
  await own?.stop();
  upstream = own = undefined;
});

const get = (cookie: string) =>
  new Request("http://app.test/api/tasks", {
    headers: { cookie, "sec-fetch-site": "same-origin" },
  });

async function proxyOver(store: RateLimitStore, token = cookieToken("sid"), limit = 3) {
  upstream ??= await startUpstream();
  return createProxy({
    upstream: upstream.url,
    mount: "/api",
    token,
    rateLimit: { perSession: { limit, windowSeconds: 60 }, store },
  });
}

describe("redisRateLimitStore", () => {
  it("lets exactly `limit` of many concurrent hits through, across two instances", async () => {
    const prefix = uniquePrefix("rl-concurrent");
    const stores = [
      redisRateLimitStore({ client: await shared.connect(), prefix }),
      redisRateLimitStore({ client: await shared.connect(), prefix }),
    ];
    const hits = await Promise.all(
      Array.from({ length: 60 }, (_, i) => stores[i % 2]?.hit("session:k", 60_000)),
    );
    const counts = hits.map((hit) => hit?.count ?? 0).sort((a, b) => a - b);
    expect(counts).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(counts.filter((count) => count <= 25)).toHaveLength(25);

    const [a, b] = await Promise.all([proxyOver(stores[0]!), proxyOver(stores[1]!)]);
    const statuses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).handle(get("sid=alice"))),
    ).then((responses) => responses.map((response) => response.status));
    expect(statuses.filter((status) => status === 200)).toHaveLength(3);
    expect(statuses.filter((status) => status === 429)).toHaveLength(7);
  });

  it("starts a new window once the old one has ended, and says when it ends", async () => {
    const store = redisRateLimitStore({
      client: await shared.connect(),
      prefix: uniquePrefix("rl-window"),
    });
    const first = await store.hit("ip:1", 300);
    expect(first.count).toBe(1);
    expect(first.resetAt).toBeGreaterThan(Date.now() + 200);
    expect((await store.hit("ip:1", 300)).count).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await store.hit("ip:1", 300)).count).toBe(1);
  });

  it("counts one session once on every instance, whatever JWT each has cached", async () => {
    const better = makeAuth();
    const cookie = await better.signUp("carol");
    const prefix = uniquePrefix("rl-session");
    const sourceA = betterAuthToken(better.counted);
    const sourceB = betterAuthToken(better.counted);
    const a = await proxyOver(
      redisRateLimitStore({ client: await shared.connect(), prefix }),
      sourceA,
    );
    const b = await proxyOver(
      redisRateLimitStore({ client: await shared.connect(), prefix }),
      sourceB,
    );

    expect((await a.handle(get(cookie))).status).toBe(200);
    // Instance B fetches its own JWT later: another `iat`, another token.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 5_000 });
    expect((await b.handle(get(cookie))).status).toBe(200);
    vi.useRealTimers();
    const [seenA, seenB] = upstream?.seen ?? [];
    expect(seenA?.headers.authorization).not.toBe(seenB?.headers.authorization);
    expect(await sourceA.sessionKey(withCookie(cookie))).toBe(
      await sourceB.sessionKey(withCookie(cookie)),
    );

    expect((await a.handle(get(cookie))).status).toBe(200);
    const fourth = await b.handle(get(cookie));
    expect(fourth.status).toBe(429);
    expect((await fourth.json()).code).toBe("ERR_RATE_LIMITED");
  });

  it("refuses with 503 ERR_STORE_UNAVAILABLE while Redis is down (closed), within the timeout, and recovers", async () => {
    own = await startRedisServer();
    const clients = redisClients(own.url);
    try {
      // node-redis's offline queue left on: the store's own timeout must still answer in time.
      const store = redisRateLimitStore({
        client: await clients.connect({ offlineQueue: true }),
        prefix: uniquePrefix("rl-closed"),
        timeoutMs: 300,
      });
      const proxy = await proxyOver(store, cookieToken("sid"), 100);
      expect((await proxy.handle(get("sid=dave"))).status).toBe(200);

      await own.stop();
      const started = Date.now();
      const refused = await proxy.handle(get("sid=dave"));
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("1");
      expect((await refused.json()).code).toBe("ERR_STORE_UNAVAILABLE");
      expect(upstream?.seen).toHaveLength(1);

      own = await startRedisServer({ port: own.port });
      await eventually(async () => (await proxy.handle(get("sid=dave"))).status === 200, 5_000);
    } finally {
      await clients.closeAll();
    }
  });

  it("lets requests through uncounted while Redis is down (open), reporting the outage once", async () => {
    own = await startRedisServer();
    const clients = redisClients(own.url);
    try {
      const outages: Error[] = [];
      const store = redisRateLimitStore({
        client: await clients.connect(),
        prefix: uniquePrefix("rl-open"),
        onError: "open",
        timeoutMs: 300,
        onOutage: (error) => outages.push(error),
      });
      const proxy = await proxyOver(store, cookieToken("sid"), 1);
      expect((await proxy.handle(get("sid=erin"))).status).toBe(200);
      expect((await proxy.handle(get("sid=erin"))).status).toBe(429);

      await own.stop();
      const started = Date.now();
      expect((await proxy.handle(get("sid=erin"))).status).toBe(200);
      expect((await proxy.handle(get("sid=erin"))).status).toBe(200);
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(outages).toHaveLength(1);

      own = await startRedisServer({ port: own.port }); // empty: the window starts again
      await eventually(async () => (await store.hit("session:probe", 60_000)).count === 1, 5_000);
      expect((await proxy.handle(get("sid=erin"))).status).toBe(200);
      expect((await proxy.handle(get("sid=erin"))).status).toBe(429);
    } finally {
      await clients.closeAll();
    }
  });
});
