import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AgentTestApi,
  answerOf,
  readAllEvents,
  readEvents,
  startAgentTestApi,
} from "../testing/agent.js";
import type { Brain } from "./brain.js";
import { createBuiltinBrain } from "./builtin.js";
import { SessionStore } from "./sessions.js";

/** A brain that says "thinking", then waits for `release()` or for its signal to abort. */
function heldBrain() {
  let release: () => void = () => {};
  let started: () => void = () => {};
  let aborted: (reason: unknown) => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  const state = {
    started: new Promise<void>((resolve) => (started = resolve)),
    aborted: new Promise<unknown>((resolve) => (aborted = resolve)),
    release: () => release(),
    brain: {
      kind: "builtin",
      async run({ signal, emit }) {
        emit({ type: "delta", data: { text: "thinking" } });
        started();
        await new Promise<void>((resolve, reject) => {
          void released.then(resolve);
          signal.addEventListener("abort", () => {
            aborted(signal.reason);
            reject(signal.reason);
          });
        });
        return { finishReason: "stop", messages: [{ role: "assistant", content: "thinking" }] };
      },
    } satisfies Brain,
  };
  return state;
}

describe("the agent endpoints", () => {
  let api: AgentTestApi;
  let clock = 0;
  let token: string;
  const sessions = new SessionStore({ ttlMs: 60_000, now: () => clock });

  beforeAll(async () => {
    api = await startAgentTestApi(createBuiltinBrain(), { sessions });
    token = await api.token("tenant_a", "ada");
  });
  afterAll(() => api?.close());

  const get = (path: string, as: string, init: RequestInit = {}) =>
    fetch(new URL(path, api.url), { ...init, headers: { authorization: `Bearer ${as}` } });

  it("GET /v1/agent/health names the brain, without secrets", async () => {
    const response = await get("/v1/agent/health", token);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", brain: "builtin" });
  });

  it("keeps every answer out of caches: health private, no-cache; the stream no-cache, no-transform, unbuffered; refusals no-store", async () => {
    expect((await get("/v1/agent/health", token)).headers.get("cache-control")).toBe(
      "private, no-cache",
    );
    const stream = await api.chat(token, { message: "help" });
    expect(stream.headers.get("cache-control")).toBe("no-cache, no-transform");
    expect(stream.headers.get("x-accel-buffering")).toBe("no");
    await readAllEvents(stream);
    const refusals = [
      await api.chat(token, { message: "" }),
      await api.chat(token, { message: "help", sessionId: "not-a-session" }),
      await api.chat(undefined, { message: "help" }),
    ];
    expect(refusals.map((response) => response.status)).toEqual([422, 404, 401]);
    for (const response of refusals) {
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(response.headers.get("cache-control")).toBe("no-store");
    }
  });

  it("POST /v1/agent/session creates a session that /chat continues", async () => {
    clock = 1_000;
    const response = await get("/v1/agent/session", token, { method: "POST" });
    expect(response.status).toBe(201);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const { sessionId, expiresAt } = (await response.json()) as {
      sessionId: string;
      expiresAt: string;
    };
    expect(expiresAt).toBe(new Date(61_000).toISOString());
    const events = await readAllEvents(await api.chat(token, { message: "help", sessionId }));
    expect(events[0]).toEqual({ type: "session", data: { sessionId } });
    expect(events.at(-1)).toEqual({ type: "done", data: { sessionId, finishReason: "stop" } });
  });

  it("refuses another user's session with 404, exactly like an unknown one", async () => {
    const created = await get("/v1/agent/session", token, { method: "POST" });
    const { sessionId } = (await created.json()) as { sessionId: string };
    for (const other of [await api.token("tenant_a", "bob"), await api.token("tenant_b", "ada")]) {
      const response = await api.chat(other, { message: "list", sessionId });
      expect(response.status).toBe(404);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      const { requestId: _, ...body } = (await response.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ code: "ERR_NOT_FOUND" });
      const unknown = await api.chat(other, { message: "list", sessionId: crypto.randomUUID() });
      const { requestId: __, ...unknownBody } = (await unknown.json()) as Record<string, unknown>;
      expect(unknownBody).toEqual(body);
    }
    // The owner still has it.
    expect((await api.chat(token, { message: "help", sessionId })).status).toBe(200);
  });

  it("forgets a session after its idle time: 404 before any stream starts", async () => {
    clock = 100_000;
    const created = await get("/v1/agent/session", token, { method: "POST" });
    const { sessionId } = (await created.json()) as { sessionId: string };
    clock += 59_999;
    const alive = await api.chat(token, { message: "help", sessionId });
    expect((await readAllEvents(alive)).at(-1)?.type).toBe("done");
    clock += 60_000;
    const response = await api.chat(token, { message: "help", sessionId });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: "ERR_NOT_FOUND" });
  });

  it.each([
    ["no token", undefined, 401, "ERR_TOKEN_MISSING"],
    ["a forged token", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", 401, "ERR_TOKEN_INVALID"],
  ])("refuses a chat with %s: 401 problem+json", async (_name, bearer, status, code) => {
    const response = await api.chat(bearer, { message: "delete 1" });
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(await response.json()).toMatchObject({ code });
    const health = await fetch(new URL("/v1/agent/health", api.url), {
      headers: bearer === undefined ? {} : { authorization: `Bearer ${bearer}` },
    });
    expect(health.status).toBe(401);
  });

  it.each([
    ["a body that is not JSON", "{nope", 400, "ERR_BAD_REQUEST", undefined],
    ["a JSON array", "[]", 400, "ERR_BAD_REQUEST", undefined],
    ["no message", {}, 422, "ERR_VALIDATION", "message"],
    ["an empty message", { message: "   " }, 422, "ERR_VALIDATION", "message"],
    [
      "a message of 4001 characters",
      { message: "x".repeat(4001) },
      422,
      "ERR_VALIDATION",
      "message",
    ],
    ["a message that is not a string", { message: 42 }, 422, "ERR_VALIDATION", "message"],
    [
      "a sessionId that is not a string",
      { message: "hi", sessionId: 7 },
      422,
      "ERR_VALIDATION",
      "sessionId",
    ],
    ["an unknown field", { message: "hi", sesionId: "x" }, 422, "ERR_VALIDATION", "sesionId"],
  ])("refuses %s with problem+json", async (_name, body, status, code, field) => {
    const response = await api.chat(token, body);
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const problem = (await response.json()) as { code: string; errors?: Array<{ field: string }> };
    expect(problem.code).toBe(code);
    if (field !== undefined) expect(problem.errors?.[0]?.field).toBe(field);
  });

  it("refuses a body that is not declared JSON with 415", async () => {
    const response = await fetch(new URL("/v1/agent/chat", api.url), {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" },
      body: '{"message":"hi"}',
    });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ code: "ERR_UNSUPPORTED_MEDIA_TYPE" });
  });

  it("accepts a message of exactly 4000 characters, trimmed", async () => {
    const response = await api.chat(token, { message: `  ${"x".repeat(4000)}  ` });
    expect(response.status).toBe(200);
    expect(answerOf(await readAllEvents(response))).toMatch(/^Sorry/);
  });
});

describe("a running chat", () => {
  let api: AgentTestApi;
  let held: ReturnType<typeof heldBrain>;
  let token: string;

  beforeAll(async () => {
    held = heldBrain();
    api = await startAgentTestApi(
      { kind: "builtin", run: (input) => held.brain.run(input) },
      { heartbeatMs: 50 },
    );
    token = await api.token("tenant_a", "ada");
  });
  afterAll(() => api?.close());

  it("streams each event as it is produced, with `: ping` during silences", async () => {
    held = heldBrain();
    const response = await api.chat(token, { message: "hi" });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    // The delta arrives while the brain is still running: nothing waits for the end.
    while (!text.includes("event: delta") || (text.match(/: ping\n\n/g) ?? []).length < 2) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended early: ${text}`);
      text += decoder.decode(value, { stream: true });
    }
    expect(text).toMatch(
      /^event: session\ndata: \{"sessionId":"[\w-]+"\}\n\nevent: delta\ndata: \{"text":"thinking"\}\n\n/,
    );
    held.release();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    expect(text).toMatch(/event: done\ndata: \{"sessionId":"[\w-]+","finishReason":"stop"\}\n\n$/);
  });

  it("refuses a second chat on a busy session with 409 ERR_SESSION_BUSY, then accepts one", async () => {
    held = heldBrain();
    const first = await api.chat(token, { message: "hi" });
    const events = readEvents(first);
    const session = (await events.next()).value;
    if (session?.type !== "session") throw new Error("no session event");
    await held.started;
    const second = await api.chat(token, { message: "again", sessionId: session.data.sessionId });
    expect(second.status).toBe(409);
    expect(second.headers.get("content-type")).toBe("application/problem+json");
    expect(await second.json()).toMatchObject({ code: "ERR_SESSION_BUSY", status: 409 });
    held.release();
    const rest: string[] = [];
    for await (const event of events) rest.push(event.type);
    expect(rest).toEqual(["delta", "done"]);

    held = heldBrain();
    held.release();
    const third = await api.chat(token, { message: "again", sessionId: session.data.sessionId });
    expect(third.status).toBe(200);
    expect((await readAllEvents(third)).at(-1)?.type).toBe("done");
  });

  it("aborts the brain when the client disconnects, and frees the session", async () => {
    held = heldBrain();
    const controller = new AbortController();
    const response = await api.chat(token, { message: "hi" }, { signal: controller.signal });
    const events = readEvents(response);
    const session = (await events.next()).value;
    if (session?.type !== "session") throw new Error("no session event");
    await held.started;
    controller.abort();
    const reason = await held.aborted;
    expect(reason).toBeInstanceOf(Error);

    // The session is usable again, and its history holds nothing of the aborted turn.
    await expect
      .poll(() => api.logs.lines.some((line) => line.includes("aborted by the client")))
      .toBe(true);
    held = heldBrain();
    const next = await api.chat(token, { message: "hi", sessionId: session.data.sessionId });
    expect(next.status).toBe(200);
    held.release();
    expect((await readAllEvents(next)).at(-1)?.type).toBe("done");
  });
});
