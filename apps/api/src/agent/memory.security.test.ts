import { afterEach, describe, expect, it } from "vitest";
import type { Database } from "../database.js";
import { type AgentTestApi, answerOf, readAllEvents, startAgentTestApi } from "../testing/agent.js";
import { DATABASE_KINDS, type DatabaseKind } from "../testing/db.js";
import { createBuiltinBrain } from "./builtin.js";
import { DrizzleSessionStore } from "./drizzle-sessions.js";
import { historyBytes, utf8Length } from "./memory.js";
import {
  type AgentSessionStore,
  DEFAULT_SESSION_MAX_BYTES,
  SessionStore,
  type SessionStoreOptions,
} from "./sessions.js";

const TENANT = "tenant_mem";
/** 200 characters (the most a title may hold), 578 bytes: "€" takes 3 in UTF-8. */
const longTitle = (n: number) => `Task ${String(n).padStart(2, "0")} ${"€".repeat(190)}`;

let api: AgentTestApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

/** A session store to test, and the bytes it holds in all. */
interface Held {
  sessions: AgentSessionStore;
  bytes(): Promise<number>;
}

/** Every store the budgets hold in: this process's memory, and the database of either kind. */
const STORES: {
  name: string;
  kind: DatabaseKind;
  open(db: Database, o: SessionStoreOptions): Held;
}[] = [
  {
    name: "in memory",
    kind: "pglite",
    open: (_db, options) => {
      const sessions = new SessionStore(options);
      return { sessions, bytes: async () => sessions.bytes };
    },
  },
  ...DATABASE_KINDS.map((kind) => ({
    name: `in ${kind}`,
    kind,
    open: (db: Database, options: SessionStoreOptions): Held => {
      const sessions = new DrizzleSessionStore(db.db, options);
      return { sessions, bytes: () => sessions.totalBytes() };
    },
  })),
];

/** Starts the API with a store of `store`'s kind and 50 tasks with long titles in {@link TENANT}. */
async function withLongTasks(
  store: (typeof STORES)[number],
  options: SessionStoreOptions = {},
): Promise<{ api: AgentTestApi; held: Held }> {
  let held: Held | undefined;
  api = await startAgentTestApi(createBuiltinBrain(), {
    kind: store.kind,
    sessions: (db) => {
      held = store.open(db, options);
      return held.sessions;
    },
  });
  for (let n = 1; n <= 50; n += 1) {
    await api.db.store.create({ tenantId: TENANT, userId: "ada" }, { title: longTitle(n) });
  }
  if (held === undefined) throw new Error("no session store");
  return { api, held };
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
describe.each(STORES)("the agent's memory under long listings, $name", (store) => {
  it("keeps one session under its byte budget through 50 listings of 50 long titles, and goes on answering", async () => {
    const { api, held } = await withLongTasks(store);
    const { sessions } = held;
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

    const session = await sessions.get(ada, sessionId as string);
    if (session === undefined) throw new Error("the session was forgotten");
    expect(historyBytes(session.messages)).toBeLessThanOrEqual(DEFAULT_SESSION_MAX_BYTES);
    expect(await held.bytes()).toBe(historyBytes(session.messages));
    expect(session.messages[0]?.role).toBe("user");
    expect(session.messages.at(-1)?.content).toContain(longTitle(50));

    const next = await say(api, token, "complete 50", sessionId);
    expect(next.sessionId).toBe(sessionId);
    expect(next.answer).toBe(`Completed task #50: ${longTitle(50)}.`);
    const after = await sessions.get(ada, sessionId as string);
    expect(after?.messages.at(-1)?.content).toBe(next.answer);
    expect(historyBytes(after?.messages ?? [])).toBeLessThanOrEqual(DEFAULT_SESSION_MAX_BYTES);
  }, 120_000);

  it("forgets the least recently used sessions when all of them hold more than the total budget", async () => {
    // Room for three listings of about 29.6 KB each, not four.
    const { api, held } = await withLongTasks(store, { maxTotalBytes: 100_000 });
    const users = ["u0", "u1", "u2", "u3"];
    const tokens = await Promise.all(users.map((user) => api.token(TENANT, user)));
    const ids: string[] = [];
    for (const token of tokens.slice(0, 3)) ids.push((await say(api, token, "list")).sessionId);
    // u0 speaks again, so u1 is now the least recently used.
    await say(api, tokens[0] as string, "help", ids[0]);
    ids.push((await say(api, tokens[3] as string, "list")).sessionId);

    expect(await held.bytes()).toBeLessThanOrEqual(100_000);
    const gone = await api.chat(tokens[1], { message: "list", sessionId: ids[1] });
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { code?: string }).code).toBe("ERR_NOT_FOUND");
    for (const i of [0, 2, 3]) {
      const reply = await say(api, tokens[i] as string, "help", ids[i]);
      expect(reply.sessionId).toBe(ids[i]);
    }
  }, 120_000);
});
