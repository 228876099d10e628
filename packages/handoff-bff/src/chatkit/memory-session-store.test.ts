import { afterEach, describe, expect, it, vi } from "vitest";
import { errorCode } from "../errors.js";
import { memorySessionStore } from "./memory-session-store.js";

const session = (n: number) => ({ sessionId: `cksess_${n}`, user: `user_${n}`, expiresAt: n });

describe("memorySessionStore", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("remembers a session for its ttl, then forgets it", () => {
    vi.useFakeTimers();
    const store = memorySessionStore();
    store.set("k1", session(1), 60);
    expect(store.get("k1")).toEqual(session(1));
    vi.advanceTimersByTime(59_999);
    expect(store.get("k1")).toEqual(session(1));
    vi.advanceTimersByTime(1);
    expect(store.get("k1")).toBeUndefined();
  });

  it("forgets a deleted session", () => {
    const store = memorySessionStore();
    store.set("k1", session(1), 60);
    store.delete("k1");
    expect(store.get("k1")).toBeUndefined();
  });

  it("keeps at most maxSessions, dropping expired ones first, then the oldest", () => {
    vi.useFakeTimers();
    const store = memorySessionStore({ maxSessions: 2 });
    store.set("short", session(1), 1);
    store.set("a", session(2), 60);
    vi.advanceTimersByTime(1_000);
    store.set("b", session(3), 60);
    expect(store.get("short")).toBeUndefined();
    expect(store.get("a")).toEqual(session(2));

    store.set("c", session(4), 60);
    expect(store.get("a")).toBeUndefined();
    expect(store.get("b")).toEqual(session(3));
    expect(store.get("c")).toEqual(session(4));
  });

  it("keeps its own copy of a session", () => {
    const store = memorySessionStore();
    const mine = session(1);
    store.set("k1", mine, 60);
    mine.user = "mallory";
    expect(store.get("k1")).toEqual(session(1));
  });

  it("refuses a maxSessions that is not a positive integer", () => {
    for (const maxSessions of [0, -1, 1.5, Number.NaN]) {
      let thrown: unknown;
      try {
        memorySessionStore({ maxSessions });
      } catch (error) {
        thrown = error;
      }
      expect(errorCode(thrown)).toBe("ERR_INVALID_CONFIG");
    }
  });

  it("takes a session once: take reads and forgets it in one step", () => {
    const store = memorySessionStore();
    store.set("k1", session(1), 60);
    expect(store.take?.("k1")).toEqual(session(1));
    expect(store.take?.("k1")).toBeUndefined();
    expect(store.get("k1")).toBeUndefined();
  });
});
