import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { followTasks, type LiveHandlers, type LiveState } from "./live";
import type { TaskEvent } from "./types";

/** A stand-in for the browser's WebSocket: records what was opened, lets a test speak. */
class FakeSocket {
  static opened: FakeSocket[] = [];
  onmessage: ((message: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  closedWith: number | null = null;
  constructor(readonly url: string) {
    FakeSocket.opened.push(this);
  }
  say(frame: unknown) {
    this.onmessage?.({ data: typeof frame === "string" ? frame : JSON.stringify(frame) });
  }
  drop(code: number) {
    this.onclose?.({ code });
  }
  close(code: number) {
    this.closedWith = code;
  }
}

const URL = "ws://app.test/api/proxy/api/tasks/live";
const last = () => FakeSocket.opened.at(-1) as FakeSocket;

function follow(overrides: Partial<LiveHandlers> = {}) {
  const events: TaskEvent[] = [];
  const states: LiveState[] = [];
  let resyncs = 0;
  const stop = followTasks(
    {
      onEvent: (event) => events.push(event),
      onResync: () => resyncs++,
      onState: (state) => states.push(state),
      checkSession: async () => true,
      ...overrides,
    },
    { url: URL, WebSocket: FakeSocket as unknown as typeof WebSocket, random: () => 1 },
  );
  return { events, states, stop, resyncs: () => resyncs };
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.opened = [];
});
afterEach(() => vi.useRealTimers());

describe("followTasks", () => {
  it("is live after ready, reloads once for what happened before the socket, then passes events on", () => {
    const feed = follow();
    expect(last().url).toBe(URL);
    expect(feed.states).toEqual(["connecting"]);
    last().say({ type: "ready", seq: 4 });
    expect(feed.states).toEqual(["connecting", "live"]);
    expect(feed.resyncs()).toBe(1);
    last().say({ type: "task.created", id: "t1", etag: '"1"', seq: 5 });
    last().say({ type: "resync", reason: "slow", seq: 9 });
    expect(feed.events).toEqual([{ type: "task.created", id: "t1", etag: '"1"' }]);
    expect(feed.resyncs()).toBe(2);
  });

  it("ignores frames that are not the feed's", () => {
    const feed = follow();
    for (const frame of [
      "not json",
      "null",
      { type: "task.updated", id: "t1", seq: 1 },
      { type: "hello", seq: 1 },
      { type: "ready" },
    ]) {
      last().say(frame);
    }
    expect(feed.events).toEqual([]);
    expect(feed.states).toEqual(["connecting"]);
  });

  it("reconnects with backoff from 0.5 s to 30 s, resuming after the last sequence number", () => {
    const feed = follow();
    last().say({ type: "ready", seq: 7 });
    last().drop(1001);
    expect(feed.states.at(-1)).toBe("offline");
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      const before = FakeSocket.opened.length;
      let waited = 0;
      while (FakeSocket.opened.length === before) {
        vi.advanceTimersByTime(100);
        waited += 100;
      }
      delays.push(waited);
      expect(last().url).toBe(`${URL}?after=7`);
      last().drop(1006);
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    // A socket that gets to ready starts the backoff over, and does not reload the list.
    vi.advanceTimersByTime(30_000);
    last().say({ type: "task.deleted", id: "t2", etag: '"3"', seq: 8 });
    last().say({ type: "ready", seq: 8 });
    expect(feed.resyncs()).toBe(1);
    last().drop(1011);
    vi.advanceTimersByTime(500);
    expect(last().url).toBe(`${URL}?after=8`);
  });

  it("draws each delay from the upper half of its step (jitter)", () => {
    const feed = followTasks(
      { onEvent() {}, onResync() {}, onState() {}, checkSession: async () => true },
      { url: URL, WebSocket: FakeSocket as unknown as typeof WebSocket, random: () => 0 },
    );
    last().drop(1006);
    vi.advanceTimersByTime(249);
    expect(FakeSocket.opened).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.opened).toHaveLength(2);
    feed();
  });

  it("on 4401 asks whether the session holds, and stops when it does not", async () => {
    const checkSession = vi.fn(async () => false);
    follow({ checkSession });
    last().say({ type: "ready", seq: 1 });
    last().drop(4401);
    await vi.runAllTimersAsync();
    expect(checkSession).toHaveBeenCalledOnce();
    expect(FakeSocket.opened).toHaveLength(1);
  });

  it("on 4401 opens a new socket at once when only the JWT expired", async () => {
    follow({ checkSession: async () => true });
    last().say({ type: "ready", seq: 3 });
    last().drop(4401);
    await Promise.resolve();
    await Promise.resolve();
    expect(FakeSocket.opened).toHaveLength(2);
    expect(last().url).toBe(`${URL}?after=3`);
  });

  it("closes the socket with 1000 and never reconnects once stopped", () => {
    const feed = follow();
    const socket = last();
    feed.stop();
    expect(socket.closedWith).toBe(1000);
    socket.drop(1000);
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.opened).toHaveLength(1);
  });
});
