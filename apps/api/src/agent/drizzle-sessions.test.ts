import { describe, expect, it } from "vitest";
import { DATABASE_KINDS, useTestDatabase } from "../testing/db.js";
import type { ChatMessage } from "./brain.js";
import { DrizzleSessionStore, type DrizzleSessionStoreOptions } from "./drizzle-sessions.js";
import { historyBytes } from "./memory.js";
import type { AgentSession, SessionOwner } from "./sessions.js";

/** A user message and an ASCII answer of `bytes` UTF-8 bytes in all. */
const exchange = (question: string, bytes: number): ChatMessage[] => [
  { role: "user", content: question },
  { role: "assistant", content: "x".repeat(bytes - question.length) },
];

describe.each(DATABASE_KINDS)("the database session store (%s)", (kind) => {
  const database = useTestDatabase(kind);
  // Each test its own tenant: the database is shared by the file.
  let tenants = 0;
  const owners = () => {
    tenants += 1;
    const tenantId = `t${kind}${tenants}`;
    return [
      { tenantId, userId: "ada" },
      { tenantId, userId: "bob" },
    ] as const;
  };
  const store = (options: DrizzleSessionStoreOptions = {}) =>
    new DrizzleSessionStore(database().db, options);
  async function open(sessions: DrizzleSessionStore, owner: SessionOwner): Promise<AgentSession> {
    const session = await sessions.get(owner, (await sessions.create(owner)).id);
    if (session === undefined) throw new Error("no session");
    return session;
  }

  it("gives a session back to its owner only, from any store on the database", async () => {
    const [ada, bob] = owners();
    const { id } = await store().create(ada);
    const elsewhere = store();
    expect((await elsewhere.get(ada, id))?.id).toBe(id);
    expect(await elsewhere.get(bob, id)).toBeUndefined();
    expect(await elsewhere.get({ tenantId: "other", userId: "ada" }, id)).toBeUndefined();
    expect(await elsewhere.get(ada, "not-a-uuid")).toBeUndefined();
    expect(await elsewhere.get(ada, crypto.randomUUID())).toBeUndefined();
  });

  it("keeps the history a turn appended, for the next instance to read", async () => {
    const [ada] = owners();
    const a = store();
    const session = await open(a, ada);
    expect(await a.acquire(session)).toBe(true);
    await a.append(session, exchange("hi", 10));
    await a.release(session);
    expect((await store().get(ada, session.id))?.messages).toEqual(exchange("hi", 10));
  });

  it("forgets a session idle for the TTL, and each use restarts the clock", async () => {
    const [ada] = owners();
    let now = Date.parse("2030-01-01T00:00:00Z");
    const sessions = store({ ttlMs: 1_000, now: () => now });
    const { id, expiresAt } = await sessions.create(ada);
    expect(expiresAt.getTime()).toBe(now + 1_000);
    now += 999;
    expect(await sessions.get(ada, id)).toBeDefined();
    now += 999;
    expect(await sessions.get(ada, id)).toBeDefined();
    now += 1_000;
    expect(await sessions.get(ada, id)).toBeUndefined();
  });

  it("holds a session busy across stores, renewing the lease while the chat runs", async () => {
    const [ada] = owners();
    const a = store({ leaseMs: 300 });
    const b = store({ leaseMs: 300 });
    const session = await open(a, ada);
    expect(await a.acquire(session)).toBe(true);
    const there = await b.get(ada, session.id);
    if (there === undefined) throw new Error("no session");
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(await b.acquire(there)).toBe(false);
    await a.release(session);
    expect(await b.acquire(there)).toBe(true);
    await b.release(there);
  });

  it("lets the lease of a store that stopped renewing lapse; the old holder can no longer write", async () => {
    const [ada] = owners();
    let now = Date.parse("2030-01-01T00:00:00Z");
    const crashed = store({ leaseMs: 30_000, now: () => now });
    const survivor = store({ leaseMs: 30_000, now: () => now });
    const session = await open(crashed, ada);
    expect(await crashed.acquire(session)).toBe(true);
    const there = (await survivor.get(ada, session.id)) as AgentSession;
    now += 29_000;
    expect(await survivor.acquire(there)).toBe(false);
    now += 1_000;
    expect(await survivor.acquire(there)).toBe(true);
    await crashed.append(session, exchange("late", 10));
    await survivor.append(there, exchange("mine", 10));
    await survivor.release(there);
    expect((await survivor.get(ada, session.id))?.messages).toEqual(exchange("mine", 10));
  });

  it("keeps a session within maxSessionBytes, dropping its oldest turns whole", async () => {
    const [ada] = owners();
    const sessions = store({ maxSessionBytes: 1_000 });
    const session = await open(sessions, ada);
    for (let i = 0; i < 10; i += 1) await sessions.append(session, exchange(`q${i}`, 300));
    const stored = await store().get(ada, session.id);
    expect(stored?.messages.filter((m) => m.role === "user").map((m) => m.content)).toEqual([
      "q7",
      "q8",
      "q9",
    ]);
    expect(historyBytes(stored?.messages ?? [])).toBe(900);
  });

  it("keeps at most maxPerUser sessions per user, dropping their least recently used", async () => {
    const [ada, bob] = owners();
    let now = Date.parse("2030-01-01T00:00:00Z");
    const sessions = store({ maxPerUser: 2, now: () => (now += 1) });
    const first = (await sessions.create(ada)).id;
    const second = (await sessions.create(ada)).id;
    const others = (await sessions.create(bob)).id;
    await sessions.get(ada, first);
    const third = (await sessions.create(ada)).id;
    expect(await sessions.get(ada, second)).toBeUndefined();
    expect((await sessions.get(ada, first))?.id).toBe(first);
    expect((await sessions.get(ada, third))?.id).toBe(third);
    expect((await sessions.get(bob, others))?.id).toBe(others);
  });
});

describe.each(DATABASE_KINDS)("the database-wide byte budget (%s)", (kind) => {
  // A database of its own: the budget counts every row.
  const database = useTestDatabase(kind);

  it("forgets the least recently used idle sessions when all of them hold more than maxTotalBytes, never a busy one", async () => {
    let now = Date.parse("2030-01-01T00:00:00Z");
    const sessions = new DrizzleSessionStore(database().db, {
      maxTotalBytes: 3_000,
      now: () => (now += 1),
    });
    const owners = ["u0", "u1", "u2", "u3", "u4"].map((userId) => ({ tenantId: "t", userId }));
    const opened: AgentSession[] = [];
    const open = async (i: number) => {
      const owner = owners[i] as (typeof owners)[0];
      const session = await sessions.get(owner, (await sessions.create(owner)).id);
      if (session === undefined) throw new Error("no session");
      opened[i] = session;
      return session;
    };
    const [s0, s1, s2, s3] = [await open(0), await open(1), await open(2), await open(3)];
    for (const session of [s0, s1, s2]) await sessions.append(session, exchange("q", 900));
    expect(await sessions.totalBytes()).toBe(2_700);
    // u0 is busy, so u1 is the first that may go.
    expect(await sessions.acquire(s0)).toBe(true);
    await sessions.append(s3, exchange("q", 900));
    expect(await sessions.totalBytes()).toBe(2_700);
    await sessions.release(s0);
    await sessions.append(await open(4), exchange("q", 900));
    expect(await sessions.totalBytes()).toBe(2_700);
    const alive = [];
    for (const [i, owner] of owners.entries()) {
      alive.push((await sessions.get(owner, opened[i]?.id ?? "")) !== undefined);
    }
    // s1 went for s3; s2 was the least recently used idle one when s4 grew (s0 was used by its release).
    expect(alive).toEqual([true, false, false, true, true]);
  });
});
