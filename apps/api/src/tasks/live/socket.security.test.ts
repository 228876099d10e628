import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../../testing/api.js";
import { DATABASE_KINDS } from "../../testing/db.js";
import { nowSeconds, sign } from "../../testing/issuer.js";
import { connectLive, type LiveClient, type Refusal } from "../../testing/websocket.js";

const refusal = (outcome: LiveClient | Refusal) => {
  if (!("status" in outcome)) throw new Error("the handshake was accepted");
  return { status: outcome.status, body: JSON.parse(outcome.body) };
};
const opened = (outcome: LiveClient | Refusal) => {
  if ("status" in outcome) throw new Error(`refused: ${outcome.status} ${outcome.body}`);
  return outcome;
};

describe.each(DATABASE_KINDS)("GET /api/tasks/live, refused and cut (%s)", (kind) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(kind, { feed: { maxPerUser: 1 } });
  }, 60_000);
  afterAll(() => api?.close());

  it("refuses a handshake without a token with 401 problem+json, and opens no socket", async () => {
    const { status, body } = refusal(await connectLive(api.url, "/api/tasks/live"));
    expect(status).toBe(401);
    expect(body).toMatchObject({ code: "ERR_TOKEN_MISSING", status: 401 });
  });

  it("refuses a token in the query string: only the Authorization header counts", async () => {
    const token = await sign(api.key, { tenant_id: "ws_query", sub: "u" });
    const outcome = await connectLive(api.url, `/api/tasks/live?access_token=${token}`);
    expect(refusal(outcome)).toMatchObject({ status: 401, body: { code: "ERR_TOKEN_MISSING" } });
  });

  it("refuses an invalid token with 401 ERR_TOKEN_INVALID", async () => {
    const { status, body } = refusal(await connectLive(api.url, "/api/tasks/live", "not.a.jwt"));
    expect(status).toBe(401);
    expect(body.code).toBe("ERR_TOKEN_INVALID");
  });

  it("refuses a user's socket past the stream limit with 429 ERR_TOO_MANY_STREAMS", async () => {
    const token = await sign(api.key, { tenant_id: "ws_limit", sub: "ada" });
    const first = opened(await connectLive(api.url, "/api/tasks/live", token));
    const { status, body } = refusal(await connectLive(api.url, "/api/tasks/live", token));
    expect(status).toBe(429);
    expect(body.code).toBe("ERR_TOO_MANY_STREAMS");
    first.ws.close();
    expect(await first.closed()).toBe(1005);
  });

  it("answers a plain GET with 426 ERR_UPGRADE_REQUIRED", async () => {
    const client = await api.as("ws_plain");
    const response = await client("/api/tasks/live");
    expect(response.status).toBe(426);
    expect(response.headers.get("upgrade")).toBe("websocket");
    expect(await response.json()).toMatchObject({ code: "ERR_UPGRADE_REQUIRED" });
  });

  it("closes with 4401 when the token expires", async () => {
    const token = await sign(api.key, { tenant_id: "ws_expiry", sub: "u", exp: nowSeconds() + 1 });
    const socket = opened(await connectLive(api.url, "/api/tasks/live", token));
    expect((await socket.next()).type).toBe("ready");
    expect(await socket.closed(2_500)).toBe(4401);
  });

  it("closes with 1009 on a client message over 1 KiB and ignores smaller ones", async () => {
    const token = await sign(api.key, { tenant_id: "ws_big", sub: "u" });
    const socket = opened(await connectLive(api.url, "/api/tasks/live", token));
    expect((await socket.next()).type).toBe("ready");
    socket.ws.send("hello");
    const client = await api.as("ws_big");
    await client("/api/tasks", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"title":"still live"}',
    });
    expect(await socket.next()).toMatchObject({ type: "task.created", seq: 1 });
    socket.ws.send("x".repeat(1025));
    expect(await socket.closed()).toBe(1009);
  });

  it("answers an upgrade to an unknown path with 404 problem+json", async () => {
    const token = await sign(api.key, { tenant_id: "ws_404", sub: "u" });
    const { status, body } = refusal(await connectLive(api.url, "/api/nowhere", token));
    expect(status).toBe(404);
    expect(body.code).toBe("ERR_NOT_FOUND");
  });
});
