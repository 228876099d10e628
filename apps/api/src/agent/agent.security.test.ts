import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Scope, Task } from "../tasks/model.js";
import { type AgentTestApi, answerOf, readAllEvents, startAgentTestApi } from "../testing/agent.js";
import { type OpenAIStandin, startOpenAIStandin } from "../testing/openai-standin.js";
import type { Brain } from "./brain.js";
import { createBuiltinBrain } from "./builtin.js";
import { createOpenAIBrain } from "./openai.js";

let api: AgentTestApi;
let openai: OpenAIStandin;
let current: Brain;
let victim: Task;
let mallory: string;
const alice: Scope = { tenantId: "tenant_a", userId: "alice" };

beforeAll(async () => {
  openai = await startOpenAIStandin();
  current = createBuiltinBrain();
  api = await startAgentTestApi({ kind: "builtin", run: (input) => current.run(input) });
  victim = await api.db.store.create(alice, { title: "buy milk" });
  mallory = await api.token("tenant_b", "mallory");
});
afterAll(async () => {
  await api?.close();
  await openai?.close();
});

async function say(token: string, message: string) {
  const events = await readAllEvents(await api.chat(token, { message }));
  return { events, answer: answerOf(events) };
}

describe("tenant isolation through the built-in agent", () => {
  it.each([
    ["delete 1", "There is no task #1."],
    ["complete 1", "There is no task #1."],
    ["rename 1 to pwned", "There is no task #1."],
    ["complete buy milk", "I can't find a task called “buy milk”."],
    ["remove buy milk", "I can't find a task called “buy milk”."],
    ["1", "There is no task #1."],
    ["list my tasks", "You have no tasks yet. Add one with “add <title>”."],
  ])(
    "a user of tenant B saying “%s” is told: %s; tenant A's task is unchanged",
    async (message, answer) => {
      const { events, answer: said } = await say(mallory, message);
      expect(said).toBe(answer);
      expect(events.some((event) => event.type === "tool_result" && event.data.changed)).toBe(
        false,
      );
      expect(JSON.stringify(events)).not.toContain(victim.id);
      expect(await api.db.store.get(alice, victim.id)).toEqual(victim);
    },
  );

  it("lets another user of the same tenant act on the tenant's tasks", async () => {
    current = createBuiltinBrain();
    const bob = await api.token("tenant_a", "bob");
    expect((await say(bob, "list")).answer).toBe("Your tasks:\n#1 buy milk");
  });
});

describe("tenant isolation through the model brain", () => {
  it("a model told tenant A's id and number by tenant B's user reaches nothing", async () => {
    current = createOpenAIBrain({
      apiKey: openai.apiKey,
      baseURL: openai.baseURL,
      model: "m",
      maxRetries: 0,
    });
    const calls = [
      { id: "c1", name: "delete_task", argumentChunks: [JSON.stringify({ id: victim.id })] },
      { id: "c2", name: "complete_task", argumentChunks: ['{"number":', "1}"] },
      {
        id: "c3",
        name: "update_task",
        argumentChunks: [JSON.stringify({ id: victim.id, title: "pwned" })],
      },
      { id: "c4", name: "get_task", argumentChunks: [JSON.stringify({ id: victim.id })] },
    ];
    openai.enqueue({ kind: "tool_calls", calls }, { kind: "text", tokens: ["Nothing there."] });
    const { events } = await say(mallory, "wreck tenant A");
    const results = events.filter((event) => event.type === "tool_result");
    expect(results).toHaveLength(4);
    for (const result of results) {
      expect(result.data).toMatchObject({
        ok: false,
        changed: false,
        error: { code: "ERR_NOT_FOUND" },
      });
    }
    expect(JSON.stringify(events)).not.toContain("buy milk");
    expect(events.at(-1)?.type).toBe("done");
    expect(await api.db.store.get(alice, victim.id)).toEqual(victim);
  });
});
