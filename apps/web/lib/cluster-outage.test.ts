import { type RedisServer, startRedisServer } from "@handoff/db-kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { markDraining, readiness } from "./readiness";
import { signUp } from "./testing/auth";
import { eventually, type Instance, startCluster } from "./testing/cluster";

// A Redis of this file's own: the tests stop it.
let redis: RedisServer;
let cluster: Awaited<ReturnType<typeof startCluster>>;
let a: Instance;
beforeAll(async () => {
  redis = await startRedisServer();
  cluster = await startCluster(redis.url);
  a = await cluster.start();
});
afterAll(async () => {
  await cluster?.close();
  await redis?.stop();
});

const codeOf = async (response: Response) => ((await response.json()) as { code?: string }).code;

describe("when Redis stops", () => {
  it("answers /api/ready 503 ERR_NOT_READY and proxied requests 503, then recovers", async () => {
    const { cookie } = await signUp(a.runtime.auth);
    const ready = () => readiness(async () => a.runtime);
    expect((await ready()).status).toBe(200);
    expect((await a.get(cookie)).status).toBe(200);

    await redis.stop();
    const notReady = await ready();
    expect(notReady.status).toBe(503);
    expect(notReady.headers.get("content-type")).toBe("application/problem+json");
    expect(await notReady.json()).toEqual({
      type: "https://handoff.dev/errors/ERR_NOT_READY",
      title: "Not ready",
      status: 503,
      code: "ERR_NOT_READY",
    });
    // Fail closed: no request passes uncounted or with a JWT a revocation may have reached.
    const proxied = await a.get(cookie);
    expect(proxied.status).toBe(503);
    expect(["ERR_REVOCATION_UNAVAILABLE", "ERR_STORE_UNAVAILABLE"]).toContain(
      await codeOf(proxied),
    );

    redis = await startRedisServer({ port: redis.port });
    await eventually(async () => (await ready()).status === 200, 10_000);
    await eventually(async () => (await a.get(cookie)).status === 200, 10_000);
  });

  it("answers /api/ready 503 from SIGTERM on, Redis and database up", async () => {
    const ready = () => readiness(async () => a.runtime);
    await eventually(async () => (await ready()).status === 200, 10_000);
    markDraining();
    const draining = await ready();
    expect(draining.status).toBe(503);
    expect(await codeOf(draining)).toBe("ERR_NOT_READY");
  });
});
