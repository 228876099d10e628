import { afterEach, describe, expect, it } from "vitest";
import { createReadiness } from "./readiness.js";
import { startTestApi, type TestApi } from "./testing/api.js";
import { DATABASE_KINDS } from "./testing/db.js";

describe("createReadiness", () => {
  it("is ready while the database answers, and not once draining", async () => {
    const readiness = createReadiness({ ping: async () => {} });
    expect(await readiness.check()).toEqual({ ready: true });
    readiness.drain();
    expect(await readiness.check()).toEqual({ ready: false, reason: "draining" });
  });

  it("is not ready when the ping fails or outlasts the timeout", async () => {
    const failing = createReadiness({ ping: () => Promise.reject(new Error("refused")) });
    expect(await failing.check()).toMatchObject({ ready: false, reason: "database" });
    const started = Date.now();
    const hanging = createReadiness({ ping: () => new Promise(() => {}), timeoutMs: 100 });
    expect(await hanging.check()).toMatchObject({ ready: false, reason: "database" });
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

let api: TestApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe.each(DATABASE_KINDS)("GET /ready and GET /health (%s)", (kind) => {
  it("answers 200 without a token while the database answers, never from a cache", async () => {
    api = await startTestApi(kind);
    const ready = await api.anonymous("/ready");
    expect(ready.status).toBe(200);
    expect(ready.headers.get("cache-control")).toBe("no-store");
    expect(await ready.json()).toEqual({ status: "ready" });
    expect((await api.anonymous("/health")).status).toBe(200);
  });

  it("answers 503 ERR_NOT_READY once draining, while /health stays 200", async () => {
    api = await startTestApi(kind);
    api.readiness.drain();
    const ready = await api.anonymous("/ready");
    expect(ready.status).toBe(503);
    expect(ready.headers.get("content-type")).toBe("application/problem+json");
    expect(await ready.json()).toMatchObject({ code: "ERR_NOT_READY", status: 503 });
    expect((await api.anonymous("/health")).status).toBe(200);
  });

  it("answers 503 ERR_NOT_READY when the database is gone, naming no connection detail", async () => {
    api = await startTestApi(kind);
    await api.db.close();
    const ready = await api.anonymous("/ready");
    expect(ready.status).toBe(503);
    const text = await ready.text();
    expect(JSON.parse(text)).toMatchObject({ code: "ERR_NOT_READY" });
    expect(text).not.toMatch(/postgres|127\.0\.0\.1|password|taskflow_test/i);
    expect(api.logs.lines.join("\n")).not.toMatch(/postgres(ql)?:\/\//);
    expect(api.logs.lines.join("\n")).toContain("not ready: the database did not answer");
  });
});
