import { describe, expect, it } from "vitest";
import type { ChatMessage } from "./brain.js";
import { historyBytes, utf8Length } from "./memory.js";
import { type AgentSession, SessionStore } from "./sessions.js";

const ada = { tenantId: "a", userId: "ada" };
const bob = { tenantId: "a", userId: "bob" };

/** A user message and an answer of `bytes` UTF-8 bytes in all ("é" is 2 bytes). */
const exchange = (question: string, bytes: number): ChatMessage[] => [
  { role: "user", content: question },
  {
    role: "assistant",
    content: `${"x".repeat((bytes - utf8Length(question)) % 2)}${"é".repeat((bytes - utf8Length(question)) / 2)}`,
  },
];

async function open(sessions: SessionStore, owner = ada): Promise<AgentSession> {
  const session = await sessions.get(owner, (await sessions.create(owner)).id);
  if (session === undefined) throw new Error("no session");
  return session;
}

describe("the agent session store", () => {
  it("gives a session back to its owner only", async () => {
    const sessions = new SessionStore();
    const { id } = await sessions.create(ada);
    expect((await sessions.get(ada, id))?.id).toBe(id);
    expect(await sessions.get(bob, id)).toBeUndefined();
    expect(await sessions.get({ tenantId: "b", userId: "ada" }, id)).toBeUndefined();
    expect(await sessions.get(ada, "unknown")).toBeUndefined();
  });

  it("forgets a session idle for the TTL, and each use restarts the clock", async () => {
    let now = 0;
    const sessions = new SessionStore({ ttlMs: 1_000, now: () => now });
    const { id, expiresAt } = await sessions.create(ada);
    expect(expiresAt.getTime()).toBe(1_000);
    now = 999;
    expect(await sessions.get(ada, id)).toBeDefined();
    now = 1_998;
    const session = await sessions.get(ada, id);
    expect(session && sessions.expiresAt(session).getTime()).toBe(2_998);
    now = 2_998;
    expect(await sessions.get(ada, id)).toBeUndefined();
    expect(sessions.size).toBe(0);
  });

  it("never expires a session while a chat runs on it", async () => {
    let now = 0;
    const sessions = new SessionStore({ ttlMs: 1_000, now: () => now });
    const { id } = await sessions.create(ada);
    const session = await sessions.get(ada, id);
    if (session === undefined) throw new Error("no session");
    expect(await sessions.acquire(session)).toBe(true);
    expect(await sessions.acquire(session)).toBe(false);
    now = 5_000;
    expect(await sessions.get(ada, id)).toBeDefined();
    await sessions.release(session);
    expect(await sessions.acquire(session)).toBe(true);
  });

  it("keeps at most maxPerUser sessions per user, dropping their least recently used", async () => {
    let now = 0;
    const sessions = new SessionStore({ maxPerUser: 2, now: () => now++ });
    const first = (await sessions.create(ada)).id;
    const second = (await sessions.create(ada)).id;
    const others = (await sessions.create(bob)).id;
    await sessions.get(ada, first);
    const third = (await sessions.create(ada)).id;
    expect(await sessions.get(ada, second)).toBeUndefined();
    expect(
      await Promise.all([first, third].map(async (id) => (await sessions.get(ada, id))?.id)),
    ).toEqual([first, third]);
    expect((await sessions.get(bob, others))?.id).toBe(others);
  });

  it("holds at most maxSessions in all, dropping the least recently used", async () => {
    const sessions = new SessionStore({ maxSessions: 3 });
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      ids.push((await sessions.create({ tenantId: "t", userId: `u${i}` })).id);
    }
    await sessions.get({ tenantId: "t", userId: "u0" }, ids[0] as string);
    await sessions.create({ tenantId: "t", userId: "u3" });
    expect(sessions.size).toBe(3);
    expect(await sessions.get({ tenantId: "t", userId: "u1" }, ids[1] as string)).toBeUndefined();
    expect(await sessions.get({ tenantId: "t", userId: "u0" }, ids[0] as string)).toBeDefined();
  });

  it("keeps at most maxMessages, starting the history at a user message", async () => {
    const sessions = new SessionStore({ maxMessages: 4 });
    const { id } = await sessions.create(ada);
    const session = await sessions.get(ada, id);
    if (session === undefined) throw new Error("no session");
    await sessions.append(session, [
      { role: "user", content: "one" },
      {
        role: "assistant",
        content: "",
        toolCalls: [{ id: "c", name: "list_tasks", arguments: "{}" }],
      },
      { role: "tool", toolCallId: "c", name: "list_tasks", content: "{}" },
      { role: "assistant", content: "none" },
    ]);
    await sessions.append(session, [
      { role: "user", content: "two" },
      { role: "assistant", content: "ok" },
    ]);
    // Cutting to 4 would start at the tool result, orphaned from its call: it goes too.
    expect(session.messages).toEqual([
      { role: "user", content: "two" },
      { role: "assistant", content: "ok" },
    ]);
  });

  it("makes ids that are random UUIDs", async () => {
    const sessions = new SessionStore();
    const ids = new Set<string>();
    for (let i = 0; i < 50; i += 1) ids.add((await sessions.create(ada)).id);
    expect(ids.size).toBe(50);
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("keeps a session within maxSessionBytes, dropping its oldest turns whole", async () => {
    const sessions = new SessionStore({ maxSessionBytes: 1_000 });
    const session = await open(sessions);
    for (let i = 0; i < 10; i += 1) await sessions.append(session, exchange(`q${i}`, 300));
    expect(session.messages.map((message) => message.content.slice(0, 2))).toEqual([
      "q7",
      "éé",
      "q8",
      "éé",
      "q9",
      "éé",
    ]);
    expect(historyBytes(session.messages)).toBe(900);
    expect(sessions.bytes).toBe(900);
  });

  it("keeps a turn bigger than the whole budget: the conversation goes on", async () => {
    const sessions = new SessionStore({ maxSessionBytes: 1_000 });
    const session = await open(sessions);
    await sessions.append(session, exchange("small", 100));
    await sessions.append(session, exchange("huge", 3_000));
    expect(session.messages).toEqual(exchange("huge", 3_000));
  });

  it("stores tool results cut to maxToolResultBytes, marked as cut", async () => {
    const sessions = new SessionStore({ maxToolResultBytes: 512 });
    const session = await open(sessions);
    const result = JSON.stringify({
      items: Array.from({ length: 50 }, (_, i) => ({ n: i, t: "x".repeat(90) })),
    });
    await sessions.append(session, [
      { role: "user", content: "list" },
      {
        role: "assistant",
        content: "",
        toolCalls: [{ id: "c", name: "list_tasks", arguments: "{}" }],
      },
      { role: "tool", toolCallId: "c", name: "list_tasks", content: result },
      { role: "assistant", content: "Here." },
    ]);
    const tool = session.messages[2];
    if (tool?.role !== "tool") throw new Error("no tool message");
    expect(utf8Length(tool.content)).toBeLessThanOrEqual(512);
    expect(tool.content.startsWith(result.slice(0, 100))).toBe(true);
    expect(tool.content).toContain(`truncated to 512 of ${result.length} bytes`);
  });

  it("forgets the least recently used sessions when all of them hold more than maxTotalBytes", async () => {
    let now = 0;
    const sessions = new SessionStore({ maxTotalBytes: 3_000, now: () => now++ });
    const owners = ["u0", "u1", "u2", "u3"].map((userId) => ({ tenantId: "t", userId }));
    const [s0, s1, s2, s3] = (await Promise.all(
      owners.map((owner) => open(sessions, owner)),
    )) as AgentSession[];
    for (const session of [s0, s1, s2] as AgentSession[]) {
      await sessions.append(session, exchange("q", 900));
    }
    expect(sessions.bytes).toBe(2_700);
    // u0 used again: u1 is now the least recently used.
    await sessions.get(owners[0] as (typeof owners)[0], (s0 as AgentSession).id);
    await sessions.append(s3 as AgentSession, exchange("q", 900));
    expect(sessions.bytes).toBe(2_700);
    expect(
      await Promise.all(
        owners.map(
          async (owner, i) =>
            (await sessions.get(owner, [s0, s1, s2, s3][i]?.id ?? "")) !== undefined,
        ),
      ),
    ).toEqual([true, false, true, true]);
  });

  it("does not forget a session whose chat is running to make room", async () => {
    const sessions = new SessionStore({ maxTotalBytes: 1_000 });
    const running = await open(sessions, ada);
    await sessions.append(running, exchange("q", 600));
    expect(await sessions.acquire(running)).toBe(true);
    const other = await open(sessions, bob);
    await sessions.append(other, exchange("q", 600));
    expect(await sessions.get(ada, running.id)).toBeDefined();
    expect(sessions.bytes).toBe(1_200);
    await sessions.release(running);
    // Idle again, it is forgotten to make room for the next turn of the other session.
    await sessions.append(other, exchange("r", 200));
    expect(await sessions.get(ada, running.id)).toBeUndefined();
    expect(sessions.bytes).toBe(800);
  });

  it("counts no bytes for sessions it forgot, expired or dropped", async () => {
    let now = 0;
    const sessions = new SessionStore({ ttlMs: 1_000, maxPerUser: 1, now: () => now });
    await sessions.append(await open(sessions), exchange("q", 500));
    await sessions.append(await open(sessions), exchange("q", 300));
    expect(sessions.bytes).toBe(300);
    now = 5_000;
    await sessions.create(bob);
    expect(sessions.bytes).toBe(0);
  });
});
