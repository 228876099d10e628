import { afterEach, describe, expect, it } from "vitest";
import { type AgentTestApi, answerOf, readAllEvents, startAgentTestApi } from "../testing/agent.js";
import { createBuiltinBrain } from "./builtin.js";
import { historyBytes, utf8Length } from "./memory.js";
import { DEFAULT_SESSION_MAX_BYTES, SessionStore } from "./sessions.js";

const TENANT = "tenant_mem";
/** 200 characters (the most a title may hold), 578 bytes: "€" takes 3 in UTF-8. */
const longTitle = (n: number) => `Task ${String(n).padStart(2, "0")} ${"€".repeat(190)}`;

let api: AgentTestApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

/** Starts the API with `sessions` and 50 tasks with long titles in {@link TENANT}. */
async function withLongTasks(sessions: SessionStore): Promise<AgentTestApi> {
  api = await startAgentTestApi(createBuiltinBrain(), { sessions });
  for (let n = 1; n <= 50; n += 1) {
    await api.db.store.create({ tenantId: TENANT, userId: "ada" }, { title: longTitle(n) });
  }
  return api;
}

/** One chat message; the stream's session id (checked against `done`) and its answer. */
async function say(api: AgentTestApi, token: string, message: string, sessionId?: string) {
  const response = await api.chat(
    token,
    sessionId === undefined ? { message } : { message, sessionId },
  );
  expect(response.status).toBe(200);
  const events = await readAllEvents(response);
  const first = events[0];
  const last = events.at(-1);
  if (first?.type !== "session" || last?.type !== "done") {
    throw new Error(`unexpected stream: ${JSON.stringify(events.map((event) => event.type))}`);
  }
  expect(last.data.sessionId).toBe(first.data.sessionId);
  return { sessionId: first.data.sessionId, answer: answerOf(events) };
}

// 50 full agent turns over HTTP: seconds on an idle machine, far more on a loaded one.
describe("the agent's memory under long listings", () => {
  it("keeps one session under its byte budget through 50 listings of 50 long titles, and goes on answering", async () => {
    const sessions = new SessionStore();
    const api = await withLongTasks(sessions);
    const ada = { tenantId: TENANT, userId: "ada" };
    const token = await api.token(TENANT, "ada");

    let sessionId: string | undefined;
    let said = 0;
    for (let turn = 0; turn < 50; turn += 1) {
      const reply = await say(api, token, "list my tasks", sessionId);
      sessionId ??= reply.sessionId;
      expect(reply.sessionId).toBe(sessionId);
      expect(reply.answer).toContain(`#50 ${longTitle(50)}`);
      expect(reply.answer).toContain(`#1 ${longTitle(1)}`);
      said += utf8Length(reply.answer);
    }
    // Without a byte budget, the 100 messages kept by count would hold all of this.
    expect(said).toBeGreaterThan(1_400_000);

    const session = sessions.get(ada, sessionId as string);
    if (session === undefined) throw new Error("the session was forgotten");
    expect(historyBytes(session.messages)).toBeLessThanOrEqual(DEFAULT_SESSION_MAX_BYTES);
    expect(sessions.bytes).toBe(historyBytes(session.messages));
    expect(session.messages[0]?.role).toBe("user");
    expect(session.messages.at(-1)?.content).toContain(longTitle(50));

    const next = await say(api, token, "complete 50", sessionId);
    expect(next.sessionId).toBe(sessionId);
    expect(next.answer).toBe(`Completed task #50: ${longTitle(50)}.`);
    expect(historyBytes(session.messages)).toBeLessThanOrEqual(DEFAULT_SESSION_MAX_BYTES);
  }, 120_000);

  it("forgets the least recently used sessions when all of them hold more than the total budget", async () => {
    // Room for three listings of about 29.6 KB each, not four.
    const sessions = new SessionStore({ maxTotalBytes: 100_000 });
    const api = await withLongTasks(sessions);
    const users = ["u0", "u1", "u2", "u3"];
    const tokens = await Promise.all(users.map((user) => api.token(TENANT, user)));
    const ids: string[] = [];
    for (const token of tokens.slice(0, 3)) ids.push((await say(api, token, "list")).sessionId);
    // u0 speaks again, so u1 is now the least recently used.
    await say(api, tokens[0] as string, "help", ids[0]);
    ids.push((await say(api, tokens[3] as string, "list")).sessionId);

    expect(sessions.bytes).toBeLessThanOrEqual(100_000);
    const gone = await api.chat(tokens[1], { message: "list", sessionId: ids[1] });
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { code?: string }).code).toBe("ERR_NOT_FOUND");
    for (const i of [0, 2, 3]) {
      const reply = await say(api, tokens[i] as string, "help", ids[i]);
      expect(reply.sessionId).toBe(ids[i]);
    }
  }, 120_000);
});
