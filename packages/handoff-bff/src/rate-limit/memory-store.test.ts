import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { errorCode } from "../errors.js";
import { memoryStore } from "./memory-store.js";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"], now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("memoryStore", () => {
  it("counts hits per key within a window that starts with the first hit", () => {
    const store = memoryStore();
    expect(store.hit("a", 60_000)).toEqual({ count: 1, resetAt: 1_060_000 });
    vi.advanceTimersByTime(30_000);
    expect(store.hit("a", 60_000)).toEqual({ count: 2, resetAt: 1_060_000 });
    expect(store.hit("b", 60_000)).toEqual({ count: 1, resetAt: 1_090_000 });
  });

  it("starts a new window once the old one has ended", () => {
    const store = memoryStore();
    store.hit("a", 1_000);
    store.hit("a", 1_000);
    vi.advanceTimersByTime(999);
    expect(store.hit("a", 1_000).count).toBe(3);
    vi.advanceTimersByTime(1);
    expect(store.hit("a", 1_000)).toEqual({ count: 1, resetAt: 1_002_000 });
  });

  it("never holds more than maxKeys keys, forgetting the oldest window first", () => {
    const store = memoryStore({ maxKeys: 3 });
    for (const key of ["a", "b", "c"]) {
      store.hit(key, 60_000);
      vi.advanceTimersByTime(1_000);
    }
    store.hit("b", 60_000);
    store.hit("d", 60_000); // full: "a", whose window started first, is forgotten
    expect(store.hit("b", 60_000).count).toBe(3);
    expect(store.hit("c", 60_000).count).toBe(2);
    expect(store.hit("a", 60_000).count).toBe(1); // forgotten, so counted afresh (evicting "b")
    expect(store.hit("b", 60_000).count).toBe(1);
  });

  it("stays bounded under a flood of distinct keys", () => {
    const store = memoryStore({ maxKeys: 100 });
    for (let i = 0; i < 10_000; i++) store.hit(`ip:${i}`, 60_000);
    // The last 100 keys are still counted, the others were forgotten.
    expect(store.hit("ip:9999", 60_000).count).toBe(2);
    expect(store.hit("ip:9899", 60_000).count).toBe(1);
  });

  it("drops ended windows before live ones", () => {
    const store = memoryStore({ maxKeys: 2 });
    store.hit("short", 1_000);
    store.hit("long", 60_000);
    vi.advanceTimersByTime(2_000);
    store.hit("new", 60_000); // "short" has ended: it goes, "long" stays
    expect(store.hit("long", 60_000).count).toBe(2);
  });

  it("refuses a maxKeys that is not a positive integer", () => {
    const codeOf = (maxKeys: number) => {
      try {
        memoryStore({ maxKeys });
      } catch (error) {
        return errorCode(error);
      }
    };
    expect(codeOf(0)).toBe("ERR_INVALID_CONFIG");
    expect(codeOf(1.5)).toBe("ERR_INVALID_CONFIG");
  });
});
