import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Scope } from "../tasks/model.js";
import {
  type AgentTestApi,
  answerOf,
  readAllEvents,
  readEvents,
  startAgentTestApi,
} from "../testing/agent.js";
import { refusedUrl } from "../testing/issuer.js";
import { type OpenAIStandin, startOpenAIStandin } from "../testing/openai-standin.js";
import type { Brain } from "./brain.js";
import { DEFAULT_TOOL_RESULT_MAX_BYTES, utf8Length } from "./memory.js";
import { createOpenAIBrain, type OpenAIBrainOptions } from "./openai.js";

let openai: OpenAIStandin;
let api: AgentTestApi;
let token: string;
/** The brain the API runs; tests swap it to change the key, URL or limits. */
let current: Brain;
const ada: Scope = { tenantId: "tenant_a", userId: "ada" };

const brain = (options: Partial<OpenAIBrainOptions> = {}) =>
  createOpenAIBrain({
    apiKey: openai.apiKey,
    baseURL: openai.baseURL,
    model: "gpt-test",
    maxRetries: 0,
    timeoutMs: 2_000,
    ...options,
  });

beforeAll(async () => {
  openai = await startOpenAIStandin();
  current = brain();
  api = await startAgentTestApi({
    kind: "openai",
    model: "gpt-test",
    run: (input) => current.run(input),
  });
  token = await api.token(ada.tenantId, ada.userId);
});
afterAll(async () => {
  await api?.close();
  await openai?.close();
});

function deferred() {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

describe("the model brain, with the real openai SDK against a Chat Completions stand-in", () => {
  it("streams the model's tokens as separate delta events, in order, as they arrive", async () => {
    current = brain();
    const gate = deferred();
    openai.enqueue({ kind: "text", tokens: ["Hello", gate.promise, " there", "!"] });
    const seen: string[] = [];
    for await (const event of readEvents(await api.chat(token, { message: "hi" }))) {
      seen.push(event.type === "delta" ? `delta:${event.data.text}` : event.type);
      // The first token is on the client while the model is still holding the rest back.
      if (event.type === "delta" && event.data.text === "Hello") gate.resolve();
      if (event.type === "done") expect(event.data.finishReason).toBe("stop");
    }
    expect(seen).toEqual(["session", "delta:Hello", "delta: there", "delta:!", "done"]);

    const request = openai.requests.at(-1);
    expect(request).toMatchObject({
      method: "POST",
      path: "/v1/chat/completions",
      authorization: `Bearer ${openai.apiKey}`,
      body: { model: "gpt-test", stream: true },
    });
    expect(request?.body.messages?.map((message) => message.role)).toEqual(["system", "user"]);
    expect(request?.body.messages?.[0]?.content).toContain('"tenant_a"');
    expect(request?.body.messages?.[1]).toEqual({ role: "user", content: "hi" });
    const tools = request?.body.tools ?? [];
    expect(tools.map((tool) => tool.function.name).sort()).toEqual([
      "add_task",
      "complete_task",
      "delete_task",
      "find_tasks",
      "get_task",
      "list_tasks",
      "reopen_task",
      "update_task",
    ]);
    const add = tools.find((tool) => tool.function.name === "add_task");
    expect(add).toMatchObject({
      type: "function",
      function: {
        description: expect.any(String),
        parameters: {
          type: "object",
          properties: { title: { type: "string", maxLength: 200 } },
          required: ["title"],
        },
      },
    });
  });

  it("runs a tool call whose arguments arrive in fragments, then streams the answer of round two", async () => {
    current = brain();
    openai.enqueue(
      {
        kind: "tool_calls",
        calls: [
          {
            id: "call_abc",
            name: "add_task",
            argumentChunks: ['{"ti', 'tle": "Buy', ' milk"', "}"],
          },
        ],
      },
      { kind: "text", tokens: ["Added ", "task #1."] },
    );
    const response = await api.chat(token, { message: "please add buy milk" });
    const events = await readAllEvents(response);
    expect(events.map((event) => event.type)).toEqual([
      "session",
      "tool_call",
      "tool_result",
      "delta",
      "delta",
      "done",
    ]);
    expect(events[1]).toEqual({
      type: "tool_call",
      data: { id: "call_abc", name: "add_task", arguments: { title: "Buy milk" } },
    });
    expect(events[2]).toMatchObject({
      type: "tool_result",
      data: {
        id: "call_abc",
        name: "add_task",
        ok: true,
        changed: true,
        result: { task: { number: 1 } },
      },
    });
    expect(answerOf(events)).toBe("Added task #1.");
    expect((await api.db.store.getByNumber(ada, 1)).title).toBe("Buy milk");

    // Round two told the model what it called and what the tool answered.
    const round2 = openai.requests.at(-1)?.body.messages ?? [];
    expect(round2.map((message) => message.role)).toEqual(["system", "user", "assistant", "tool"]);
    expect(round2[2]).toEqual({
      role: "assistant",
      content: null,
      tool_calls: [
        {
          id: "call_abc",
          type: "function",
          function: { name: "add_task", arguments: '{"title": "Buy milk"}' },
        },
      ],
    });
    expect(round2[3]).toMatchObject({ role: "tool", tool_call_id: "call_abc" });
    expect(JSON.parse(round2[3]?.content as string)).toMatchObject({
      task: { number: 1, title: "Buy milk" },
    });
  });

  it("keeps the conversation in the session: the next message sends the history", async () => {
    current = brain();
    openai.enqueue({ kind: "text", tokens: ["First."] }, { kind: "text", tokens: ["Second."] });
    const first = await readAllEvents(await api.chat(token, { message: "one" }));
    const sessionId = first[0]?.type === "session" ? first[0].data.sessionId : "";
    await readAllEvents(await api.chat(token, { message: "two", sessionId }));
    expect(openai.requests.at(-1)?.body.messages?.slice(1)).toEqual([
      { role: "user", content: "one" },
      { role: "assistant", content: "First." },
      { role: "user", content: "two" },
    ]);
  });

  it("refuses arguments that are not JSON without calling the tool, and tells the model", async () => {
    current = brain();
    openai.enqueue(
      {
        kind: "tool_calls",
        calls: [{ id: "call_bad", name: "delete_task", argumentChunks: ['{"number":'] }],
      },
      { kind: "text", tokens: ["Sorry."] },
    );
    const events = await readAllEvents(await api.chat(token, { message: "delete it" }));
    expect(events[1]).toEqual({
      type: "tool_call",
      data: { id: "call_bad", name: "delete_task", arguments: '{"number":' },
    });
    expect(events[2]).toMatchObject({
      type: "tool_result",
      data: { ok: false, changed: false, error: { code: "ERR_VALIDATION" } },
    });
    expect(
      JSON.parse(openai.requests.at(-1)?.body.messages?.at(-1)?.content as string),
    ).toMatchObject({
      error: { code: "ERR_VALIDATION" },
    });
    expect((await api.db.store.getByNumber(ada, 1)).title).toBe("Buy milk");
  });

  it("stops after maxRounds rounds of tool calls: done with finishReason tool_limit", async () => {
    current = brain({ maxRounds: 2 });
    const list = { id: "call_l", name: "list_tasks", argumentChunks: ["{}"] };
    openai.enqueue({ kind: "tool_calls", calls: [list] }, { kind: "tool_calls", calls: [list] });
    const events = await readAllEvents(await api.chat(token, { message: "loop" }));
    expect(events.filter((event) => event.type === "tool_call")).toHaveLength(2);
    expect(events.at(-1)).toMatchObject({ type: "done", data: { finishReason: "tool_limit" } });
  });
});

describe("model failures end the stream with an error event", () => {
  const wrongKey = "sk-wrong-0123456789abcdef-very-secret";

  it("a key the provider refuses: ERR_AGENT_MODEL_AUTH, the key nowhere in the output or logs", async () => {
    current = brain({ apiKey: wrongKey });
    const response = await api.chat(token, { message: "hi" });
    expect(response.status).toBe(200);
    const raw = await response.text();
    const events = await readAllEvents(new Response(raw));
    expect(events.map((event) => event.type)).toEqual(["session", "error"]);
    expect(events[1]).toEqual({
      type: "error",
      data: { code: "ERR_AGENT_MODEL_AUTH", message: expect.any(String) },
    });
    expect(openai.requests.at(-1)?.authorization).toBe(`Bearer ${wrongKey}`);
    for (const text of [raw, api.logs.lines.join("\n")]) {
      expect(text).not.toContain(wrongKey);
      expect(text).not.toContain("Incorrect API key");
      expect(text).not.toContain(openai.apiKey);
    }
    expect(api.logs.records().some((line) => line.code === "ERR_AGENT_MODEL_AUTH")).toBe(true);
  });

  it.each([
    ["a 429", "ERR_AGENT_MODEL_RATE_LIMITED", { kind: "error", status: 429 } as const],
    ["a 500", "ERR_AGENT_MODEL_UNAVAILABLE", { kind: "error", status: 500 } as const],
    ["a 400", "ERR_AGENT_FAILED", { kind: "error", status: 400 } as const],
    ["no answer within the timeout", "ERR_AGENT_MODEL_UNAVAILABLE", { kind: "hang" } as const],
  ])("%s from the provider: %s", async (_name, code, turn) => {
    current = brain({ timeoutMs: 300 });
    openai.enqueue(turn);
    const events = await readAllEvents(await api.chat(token, { message: "hi" }));
    expect(events.map((event) => event.type)).toEqual(["session", "error"]);
    expect(events[1]).toMatchObject({ type: "error", data: { code } });
  });

  it("a provider that cannot be reached: ERR_AGENT_MODEL_UNAVAILABLE", async () => {
    current = brain({ baseURL: new URL("/v1", await refusedUrl()).href });
    const events = await readAllEvents(await api.chat(token, { message: "hi" }));
    expect(events.at(-1)).toMatchObject({
      type: "error",
      data: { code: "ERR_AGENT_MODEL_UNAVAILABLE" },
    });
  });

  it("keeps nothing of a failed turn in the session", async () => {
    current = brain();
    openai.enqueue({ kind: "error", status: 500 }, { kind: "text", tokens: ["ok"] });
    const failed = await readAllEvents(await api.chat(token, { message: "lost" }));
    const sessionId = failed[0]?.type === "session" ? failed[0].data.sessionId : "";
    await readAllEvents(await api.chat(token, { message: "kept", sessionId }));
    expect(openai.requests.at(-1)?.body.messages?.slice(1)).toEqual([
      { role: "user", content: "kept" },
    ]);
  });

  it("stores a long tool result cut to 4 KiB: the next turn sends the model a bounded history", async () => {
    current = brain();
    const big: Scope = { tenantId: "tenant_big", userId: "ada" };
    for (let n = 1; n <= 50; n += 1) {
      await api.db.store.create(big, {
        title: `Task ${n} ${"€".repeat(190)}`,
        notes: "n".repeat(2_000),
      });
    }
    const bigToken = await api.token(big.tenantId, big.userId);
    openai.enqueue(
      {
        kind: "tool_calls",
        calls: [{ id: "call_list", name: "list_tasks", argumentChunks: ["{}"] }],
      },
      { kind: "text", tokens: ["You have 50 tasks."] },
      { kind: "text", tokens: ["Still 50."] },
    );
    const first = await readAllEvents(await api.chat(bigToken, { message: "list my tasks" }));
    const listed = first.find((event) => event.type === "tool_result");
    expect(listed?.type === "tool_result" && listed.data.result?.items).toHaveLength(50);
    // The turn that called the tool gave the model the whole result.
    const whole = openai.requests.at(-1)?.body.messages?.at(-1);
    expect(whole).toMatchObject({ role: "tool", tool_call_id: "call_list" });
    const wholeContent = String(whole?.content);
    expect(utf8Length(wholeContent)).toBeGreaterThan(100_000);

    const sessionId = first[0]?.type === "session" ? first[0].data.sessionId : "";
    const second = await readAllEvents(
      await api.chat(bigToken, { message: "how many?", sessionId }),
    );
    expect(answerOf(second)).toBe("Still 50.");
    const history = openai.requests.at(-1)?.body.messages ?? [];
    expect(history.map((message) => message.role)).toEqual([
      "system",
      "user",
      "assistant",
      "tool",
      "assistant",
      "user",
    ]);
    const stored = history[3]?.content as string;
    expect(history[3]?.tool_call_id).toBe("call_list");
    expect(utf8Length(stored)).toBeLessThanOrEqual(DEFAULT_TOOL_RESULT_MAX_BYTES);
    expect(stored.startsWith(wholeContent.slice(0, 1_000))).toBe(true);
    expect(stored).toMatch(
      /…\[truncated to 4096 of \d+ bytes in the conversation history; call list_tasks again/,
    );
    // The whole history the model is sent again is a few KiB, not the 140 KB listing.
    expect(utf8Length(JSON.stringify(history))).toBeLessThan(16_384);
  });
});

describe("a client that disconnects mid-answer", () => {
  it("aborts the request to the model: the provider sees its connection close", async () => {
    current = brain();
    const never = new Promise<void>(() => {});
    openai.enqueue({ kind: "text", tokens: ["Hello", never] });
    const aborted = openai.nextAbort();
    const controller = new AbortController();
    const events = readEvents(
      await api.chat(token, { message: "hi" }, { signal: controller.signal }),
    );
    expect((await events.next()).value?.type).toBe("session");
    expect((await events.next()).value).toEqual({ type: "delta", data: { text: "Hello" } });
    controller.abort();
    const request = await aborted;
    expect(request.body.messages?.at(-1)).toEqual({ role: "user", content: "hi" });
  });
});
