import { describe, expect, it } from "vitest";
import { SessionStore } from "./sessions.js";

const ada = { tenantId: "a", userId: "ada" };
const bob = { tenantId: "a", userId: "bob" };

describe("the agent session store", () => {
  it("gives a session back to its owner only", () => {
    const sessions = new SessionStore();
    const { id } = sessions.create(ada);
    expect(sessions.get(ada, id)?.id).toBe(id);
    expect(sessions.get(bob, id)).toBeUndefined();
    expect(sessions.get({ tenantId: "b", userId: "ada" }, id)).toBeUndefined();
    expect(sessions.get(ada, "unknown")).toBeUndefined();
  });

  it("forgets a session idle for the TTL, and each use restarts the clock", () => {
    let now = 0;
    const sessions = new SessionStore({ ttlMs: 1_000, now: () => now });
    const { id, expiresAt } = sessions.create(ada);
    expect(expiresAt.getTime()).toBe(1_000);
    now = 999;
    expect(sessions.get(ada, id)).toBeDefined();
    now = 1_998;
    const session = sessions.get(ada, id);
    expect(session && sessions.expiresAt(session).getTime()).toBe(2_998);
    now = 2_998;
    expect(sessions.get(ada, id)).toBeUndefined();
    expect(sessions.size).toBe(0);
  });

  it("never expires a session while a chat runs on it", () => {
    let now = 0;
    const sessions = new SessionStore({ ttlMs: 1_000, now: () => now });
    const { id } = sessions.create(ada);
    const session = sessions.get(ada, id);
    if (session === undefined) throw new Error("no session");
    expect(sessions.acquire(session)).toBe(true);
    expect(sessions.acquire(session)).toBe(false);
    now = 5_000;
    expect(sessions.get(ada, id)).toBeDefined();
    sessions.release(session);
    expect(sessions.acquire(session)).toBe(true);
  });

  it("keeps at most maxPerUser sessions per user, dropping their least recently used", () => {
    let now = 0;
    const sessions = new SessionStore({ maxPerUser: 2, now: () => now++ });
    const first = sessions.create(ada).id;
    const second = sessions.create(ada).id;
    const others = sessions.create(bob).id;
    sessions.get(ada, first);
    const third = sessions.create(ada).id;
    expect(sessions.get(ada, second)).toBeUndefined();
    expect([first, third].map((id) => sessions.get(ada, id)?.id)).toEqual([first, third]);
    expect(sessions.get(bob, others)?.id).toBe(others);
  });

  it("holds at most maxSessions in all, dropping the least recently used", () => {
    const sessions = new SessionStore({ maxSessions: 3 });
    const ids = Array.from(
      { length: 3 },
      (_, i) => sessions.create({ tenantId: "t", userId: `u${i}` }).id,
    );
    sessions.get({ tenantId: "t", userId: "u0" }, ids[0] as string);
    sessions.create({ tenantId: "t", userId: "u3" });
    expect(sessions.size).toBe(3);
    expect(sessions.get({ tenantId: "t", userId: "u1" }, ids[1] as string)).toBeUndefined();
    expect(sessions.get({ tenantId: "t", userId: "u0" }, ids[0] as string)).toBeDefined();
  });

  it("keeps at most maxMessages, starting the history at a user message", () => {
    const sessions = new SessionStore({ maxMessages: 4 });
    const { id } = sessions.create(ada);
    const session = sessions.get(ada, id);
    if (session === undefined) throw new Error("no session");
    sessions.append(session, [
      { role: "user", content: "one" },
      {
        role: "assistant",
        content: "",
        toolCalls: [{ id: "c", name: "list_tasks", arguments: "{}" }],
      },
      { role: "tool", toolCallId: "c", name: "list_tasks", content: "{}" },
      { role: "assistant", content: "none" },
    ]);
    sessions.append(session, [
      { role: "user", content: "two" },
      { role: "assistant", content: "ok" },
    ]);
    // Cutting to 4 would start at the tool result, orphaned from its call: it goes too.
    expect(session.messages).toEqual([
      { role: "user", content: "two" },
      { role: "assistant", content: "ok" },
    ]);
  });

  it("makes ids that are random UUIDs", () => {
    const sessions = new SessionStore();
    const ids = new Set(Array.from({ length: 50 }, () => sessions.create(ada).id));
    expect(ids.size).toBe(50);
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
