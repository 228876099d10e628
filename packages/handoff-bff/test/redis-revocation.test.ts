import { type RedisServer, startRedisServer } from "@handoff/db-kit/testing";
import { afterEach, describe, expect, inject, it } from "vitest";
import { betterAuthToken, createProxy, errors } from "../src/index.js";
import { type RedisRevocation, redisRevocation } from "../src/redis/index.js";
import { makeAuth, withCookie } from "./better-auth.js";
import { startUpstream, type TestServer } from "./helpers.js";
import { eventually, redisClients, uniquePrefix } from "./redis-clients.js";

let clients = redisClients(inject("redisUrl"));
const stores: RedisRevocation[] = [];
let upstream: TestServer | undefined;
let own: RedisServer | undefined;
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
  await clients.closeAll();
  clients = redisClients(inject("redisUrl"));
  await upstream?.close();
  await own?.stop();
  upstream = own = undefined;
});

/** One instance's revocation store: its own command client and subscriber. */
async function instance(prefix: string) {
  const store = await redisRevocation({
    client: await clients.connect(),
    subscriber: await clients.connect({ offlineQueue: true }),
    prefix,
    timeoutMs: 300,
  });
  stores.push(store);
  return store;
}

describe("redisRevocation with betterAuthToken", () => {
  it("refuses a revoked session on the same instance at once, and on another within a second", async () => {
    const better = makeAuth();
    const cookie = await better.signUp("frank");
    const prefix = uniquePrefix("revoke");
    const a = betterAuthToken(better.counted, { revocation: await instance(prefix) });
    const b = betterAuthToken(better.counted, { revocation: await instance(prefix) });
    expect(await a(withCookie(cookie))).toEqual(expect.any(String));
    expect(await b(withCookie(cookie))).toEqual(expect.any(String));
    const calls = better.getTokenCalls;

    await a.revoke(withCookie(cookie));
    expect(await a(withCookie(cookie))).toBeNull();
    const started = Date.now();
    await eventually(async () => (await b(withCookie(cookie))) === null, 1_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    // Refused from the shared revoked set: Better Auth was not asked again.
    expect(better.getTokenCalls).toBe(calls);

    // An instance started later (nothing cached, no message heard) refuses it too.
    const c = betterAuthToken(better.counted, { revocation: await instance(prefix) });
    expect(await c(withCookie(cookie))).toBeNull();
    // Other sessions are untouched.
    expect(await b(withCookie(await better.signIn("frank")))).toEqual(expect.any(String));
  });

  it("revokes by session key as well as by request", async () => {
    const better = makeAuth();
    const cookie = await better.signUp("gina");
    const prefix = uniquePrefix("revoke-key");
    const a = betterAuthToken(better.counted, { revocation: await instance(prefix) });
    const b = betterAuthToken(better.counted, { revocation: await instance(prefix) });
    await b(withCookie(cookie));
    const key = await a.sessionKey(withCookie(cookie));
    expect(key).toMatch(/^[\w-]{43}$/);
    await a.revoke(key as string);
    await eventually(async () => (await b(withCookie(cookie))) === null, 1_000);
  });

  it("serves no cached JWT while the subscription is down (503 ERR_REVOCATION_UNAVAILABLE), and recovers", async () => {
    own = await startRedisServer();
    clients = redisClients(own.url);
    const better = makeAuth();
    const cookie = await better.signUp("hank");
    const source = betterAuthToken(better.counted, {
      revocation: await instance(uniquePrefix("revoke-down")),
    });
    upstream = await startUpstream();
    const proxy = createProxy({ upstream: upstream.url, mount: "/api", token: source });
    const get = () =>
      proxy.handle(
        new Request("http://app.test/api/me", {
          headers: { cookie, "sec-fetch-site": "same-origin" },
        }),
      );
    expect((await get()).status).toBe(200);
    const calls = better.getTokenCalls;

    await own.stop();
    await eventually(async () => (await get()).status === 503, 1_000);
    const refused = await get();
    expect(refused.headers.get("retry-after")).toBe("1");
    expect((await refused.json()).code).toBe("ERR_REVOCATION_UNAVAILABLE");
    await expect(source(withCookie(cookie))).rejects.toBeInstanceOf(
      errors.RevocationUnavailableError,
    );
    expect(upstream.seen).toHaveLength(1);

    own = await startRedisServer({ port: own.port });
    await eventually(async () => (await get()).status === 200, 5_000);
    // The cache was emptied on resubscribing (revocations may have been missed), and refilled.
    expect(better.getTokenCalls).toBe(calls + 1);
  });
});
