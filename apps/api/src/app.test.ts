import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBuiltinBrain } from "./agent/index.js";
import { createApp } from "./app.js";
import { createVerifier } from "./auth/index.js";
import type { Database } from "./database.js";
import { createLogger } from "./log.js";
import { type RunningServer, startServer } from "./server.js";
import { openTestDatabase } from "./testing/db.js";
import {
  authConfig,
  createSigningKey,
  type JwksServer,
  type SigningKey,
  sign,
  startJwksServer,
} from "./testing/issuer.js";
import { captureLogs } from "./testing/logs.js";

let key: SigningKey;
let jwks: JwksServer;
let server: RunningServer;
let db: Database;
const logs = captureLogs();

beforeAll(async () => {
  key = await createSigningKey("k1");
  jwks = await startJwksServer([key]);
  db = await openTestDatabase("pglite");
  const app = createApp({
    verify: createVerifier(authConfig(jwks.url)),
    logger: createLogger({ destination: logs.destination }),
    store: db.store,
    brain: createBuiltinBrain(),
  });
  app.get("/test/boom", () => {
    throw new Error("secret internal detail");
  });
  server = await startServer({ app, port: 0 });
});
afterAll(async () => {
  await server?.shutdown();
  await db?.close();
  await jwks?.close();
});

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(new URL(path, server.url), { headers });

describe("the API over a real socket", () => {
  it("answers /health without a token", async () => {
    const response = await get("/health");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("answers /api/me with the caller named by a valid token", async () => {
    const response = await get("/api/me", { authorization: `Bearer ${await sign(key)}` });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      userId: "user_1",
      tenantId: "tenant_a",
      email: "ada@example.test",
    });
  });

  it("keeps /api/me out of shared caches (private, no-cache), and stores no error of an authenticated route", async () => {
    const token = await sign(key);
    const me = await get("/api/me", { authorization: `Bearer ${token}` });
    expect(me.headers.get("cache-control")).toBe("private, no-cache");
    const unknown = await get("/api/nothing-here", { authorization: `Bearer ${token}` });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("cache-control")).toBe("no-store");
    const refused = await get("/api/me");
    expect(refused.headers.get("cache-control")).toBe("no-store");
    // The public liveness answer holds nothing about anyone: it is left to the defaults.
    expect((await get("/health")).headers.get("cache-control")).toBeNull();
  });

  it("leaves email out when the token has none", async () => {
    const token = await sign(key, { email: undefined });
    const response = await get("/api/me", { authorization: `Bearer ${token}` });
    expect(await response.json()).toEqual({ userId: "user_1", tenantId: "tenant_a" });
  });

  it("refuses /api/me without a token: 401 problem+json with a Bearer challenge", async () => {
    const response = await get("/api/me", { "x-request-id": "trace-1" });
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="taskflow"');
    expect(await response.json()).toMatchObject({
      code: "ERR_TOKEN_MISSING",
      requestId: "trace-1",
    });
  });

  it("refuses a token without a tenant with 403", async () => {
    const token = await sign(key, { tenant_id: undefined });
    const response = await get("/api/me", { authorization: `Bearer ${token}` });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ code: "ERR_TENANT_MISSING" });
  });

  it("keeps a well-formed X-Request-Id and echoes it", async () => {
    const response = await get("/health", { "x-request-id": "abc.DEF_1:2-3" });
    expect(response.headers.get("x-request-id")).toBe("abc.DEF_1:2-3");
  });

  it.each([
    ["missing", undefined],
    ["malformed", "bad id with spaces"],
    ["too long", "a".repeat(129)],
  ])("generates a request id when the incoming one is %s", async (_case, incoming) => {
    const response = await get(
      "/health",
      incoming === undefined ? {} : { "x-request-id": incoming },
    );
    const id = response.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(id).not.toBe(incoming);
  });

  it("answers an unknown route with 404 problem+json", async () => {
    const response = await get("/nope?x=1");
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const body = (await response.json()) as { requestId?: string };
    expect(body).toMatchObject({ code: "ERR_NOT_FOUND", status: 404 });
    expect(body.requestId).toBe(response.headers.get("x-request-id"));
  });

  it("answers an unexpected exception with 500 ERR_INTERNAL, never its message", async () => {
    const response = await get("/test/boom", { "x-request-id": "boom-1" });
    expect(response.status).toBe(500);
    expect(response.headers.get("x-request-id")).toBe("boom-1");
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ code: "ERR_INTERNAL", requestId: "boom-1" });
    expect(text).not.toContain("secret internal detail");
    const logged = logs.records().find((r) => r.msg === "unhandled error");
    expect(logged).toMatchObject({
      requestId: "boom-1",
      err: { message: "secret internal detail" },
    });
  });

  it("logs one line per request, with the path but not the query", async () => {
    await get("/health?email=ada@example.test", { "x-request-id": "log-1" });
    const lines = logs.records().filter((r) => r.requestId === "log-1" && r.msg === "request");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ req: { method: "GET", path: "/health" }, status: 200 });
    expect(typeof lines[0]?.durationMs).toBe("number");
    expect(JSON.stringify(lines[0])).not.toContain("email=");
  });
});
