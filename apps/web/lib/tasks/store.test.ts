import { describe, expect, it } from "vitest";
import { TaskStore } from "./store";
import type { Task, TaskChanges, TasksApi } from "./types";

function task(id: string, overrides: Partial<Task> = {}): Task {
  return {
    id,
    number: 1,
    title: `Task ${id}`,
    notes: "",
    status: "open",
    createdBy: "user",
    createdAt: "2026-11-23T10:00:00.000Z",
    updatedAt: "2026-11-23T10:00:00.000Z",
    version: 1,
    ...overrides,
  };
}

/** A promise with its resolve/reject outside, to hold a request in flight. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

const problem = (status: number, detail = `status ${status}`) => ({ status, detail });

/** An in-memory API that checks If-Match like the real one, and records the versions sent. */
function fakeApi(initial: Task[]) {
  const rows = new Map(initial.map((item) => [item.id, item]));
  const sent: { method: string; id: string; version: number }[] = [];
  let created = 100;
  const api: TasksApi = {
    async list() {
      return { items: [...rows.values()].reverse(), nextCursor: null };
    },
    async get(id) {
      const row = rows.get(id);
      if (row === undefined) throw problem(404);
      return row;
    },
    async create(input) {
      const row = task(`t${++created}`, { title: input.title, number: created });
      rows.set(row.id, row);
      return row;
    },
    async update(id, changes: TaskChanges, version) {
      sent.push({ method: "PATCH", id, version });
      const row = rows.get(id);
      if (row === undefined) throw problem(404);
      if (row.version !== version) throw problem(412);
      const next = { ...row, ...changes, version: row.version + 1 };
      rows.set(id, next);
      return next;
    },
    async remove(id, version) {
      sent.push({ method: "DELETE", id, version });
      const row = rows.get(id);
      if (row === undefined) throw problem(404);
      if (row.version !== version) throw problem(412);
      rows.delete(id);
    },
  };
  return { api, rows, sent };
}

describe("TaskStore", () => {
  it("shows an added task at once, then the server's copy in its place", async () => {
    const { api } = fakeApi([]);
    const store = new TaskStore(api);
    await store.refresh();
    const adding = store.add("Buy milk");
    const optimistic = store.getSnapshot();
    expect(optimistic.tasks.map((item) => item.title)).toEqual(["Buy milk"]);
    expect(optimistic.tasks[0]?.id).toMatch(/^temp-/);
    expect(optimistic.pending.size).toBe(1);
    await adding;
    const settled = store.getSnapshot();
    expect(settled.tasks.map((item) => [item.id, item.title])).toEqual([["t101", "Buy milk"]]);
    expect(settled.pending.size).toBe(0);
  });

  it("applies an edit at once and keeps the server's answer, with its new version", async () => {
    const { api, sent } = fakeApi([task("a")]);
    const store = new TaskStore(api);
    await store.refresh();
    const saving = store.update("a", { title: "Renamed" });
    expect(store.getSnapshot().tasks[0]?.title).toBe("Renamed");
    await saving;
    expect(store.getSnapshot().tasks[0]).toMatchObject({ title: "Renamed", version: 2 });
    expect(sent).toEqual([{ method: "PATCH", id: "a", version: 1 }]);
  });

  it("sends quick changes to one task one after another, each with the latest ETag", async () => {
    const { api, sent } = fakeApi([task("a")]);
    const store = new TaskStore(api);
    await store.refresh();
    const first = store.toggle("a");
    const second = store.toggle("a");
    expect(store.getSnapshot().tasks[0]?.status).toBe("open"); // done, then open again
    await Promise.all([first, second]);
    expect(sent.map((request) => request.version)).toEqual([1, 2]);
    expect(store.getSnapshot().tasks[0]).toMatchObject({ status: "open", version: 3 });
    expect(store.getSnapshot().notice).toBeNull();
  });

  it("rolls a failed change back and says why", async () => {
    const { api } = fakeApi([task("a", { title: "Keep me" })]);
    api.update = async () => {
      throw problem(422, "Invalid `title`: Must not be empty.");
    };
    const store = new TaskStore(api);
    await store.refresh();
    await store.update("a", { title: "x" });
    const snapshot = store.getSnapshot();
    expect(snapshot.tasks[0]?.title).toBe("Keep me");
    expect(snapshot.notice).toMatchObject({
      tone: "error",
      text: "Couldn't save “Keep me”: Invalid `title`: Must not be empty.",
    });
  });

  it("reloads a task that changed elsewhere (412) and says so", async () => {
    const { api, rows } = fakeApi([task("a")]);
    const store = new TaskStore(api);
    await store.refresh();
    rows.set("a", task("a", { title: "Changed by someone", version: 5 }));
    await store.update("a", { status: "done" });
    const snapshot = store.getSnapshot();
    expect(snapshot.tasks[0]).toMatchObject({ title: "Changed by someone", status: "open" });
    expect(snapshot.notice).toMatchObject({
      tone: "info",
      text: "“Changed by someone” changed elsewhere — reloaded.",
    });
  });

  it("drops a task that was deleted elsewhere", async () => {
    const { api, rows } = fakeApi([task("a")]);
    const store = new TaskStore(api);
    await store.refresh();
    rows.delete("a");
    await store.update("a", { title: "Too late" });
    expect(store.getSnapshot().tasks).toEqual([]);
    expect(store.getSnapshot().notice?.text).toBe("“Task a” was deleted elsewhere.");
  });

  it("hides a deleted task at once and brings it back when the delete fails", async () => {
    const { api } = fakeApi([task("a")]);
    const failure = deferred<void>();
    api.remove = () => failure.promise;
    const store = new TaskStore(api);
    await store.refresh();
    const removing = store.remove("a");
    expect(store.getSnapshot().tasks).toEqual([]);
    failure.reject(new TypeError("Failed to fetch"));
    await removing;
    expect(store.getSnapshot().tasks.map((item) => item.id)).toEqual(["a"]);
    expect(store.getSnapshot().notice?.tone).toBe("error");
  });

  it("treats deleting a task that is already gone as done", async () => {
    const { api, rows } = fakeApi([task("a")]);
    const store = new TaskStore(api);
    await store.refresh();
    rows.delete("a");
    await store.remove("a");
    expect(store.getSnapshot().tasks).toEqual([]);
    expect(store.getSnapshot().notice).toBeNull();
  });

  it("keeps changes in flight over a refresh that lands meanwhile", async () => {
    const { api } = fakeApi([task("a")]);
    const held = deferred<Task>();
    const realUpdate = api.update;
    api.update = async (...args) => {
      const result = await realUpdate(...args);
      return held.promise.then(() => result);
    };
    const store = new TaskStore(api);
    await store.refresh();
    const saving = store.update("a", { title: "Mine" });
    await store.refresh();
    expect(store.getSnapshot().tasks[0]?.title).toBe("Mine");
    held.resolve(task("a"));
    await saving;
    expect(store.getSnapshot().tasks[0]).toMatchObject({ title: "Mine", version: 2 });
  });

  it("reads the list again when a change completed while it was being read", async () => {
    const { api } = fakeApi([task("a")]);
    const store = new TaskStore(api);
    await store.refresh();
    const realList = api.list;
    const firstRead = deferred<void>();
    let reads = 0;
    api.list = async (cursor) => {
      reads++;
      const page = await realList(cursor);
      if (reads === 1) await firstRead.promise;
      return page;
    };
    const refreshing = store.refresh();
    await store.remove("a");
    firstRead.resolve();
    await refreshing;
    expect(reads).toBe(2);
    expect(store.getSnapshot().tasks).toEqual([]);
  });

  it("shares a refresh between callers and reads once more for the last one", async () => {
    const { api } = fakeApi([task("a")]);
    let reads = 0;
    const realList = api.list;
    api.list = (cursor) => {
      reads++;
      return realList(cursor);
    };
    const store = new TaskStore(api);
    await Promise.all([store.refresh(), store.refresh(), store.refresh()]);
    expect(reads).toBe(2);
  });

  it("reports a first load that failed, and recovers on retry", async () => {
    const { api } = fakeApi([task("a")]);
    const realList = api.list;
    api.list = async () => {
      throw problem(502, "The upstream service could not be reached.");
    };
    const store = new TaskStore(api);
    await store.refresh();
    expect(store.getSnapshot()).toMatchObject({
      phase: "failed",
      loadError: "The upstream service could not be reached.",
    });
    api.list = realList;
    await store.refresh();
    expect(store.getSnapshot()).toMatchObject({ phase: "ready", loadError: null });
  });

  it("reads every page of the list", async () => {
    const pages = [
      { items: [task("a")], nextCursor: "c1" },
      { items: [task("b")], nextCursor: null },
    ];
    const { api } = fakeApi([]);
    api.list = async (cursor) => (cursor === null ? pages[0] : pages[1]) as never;
    const store = new TaskStore(api);
    await store.refresh();
    expect(store.getSnapshot().tasks.map((item) => item.id)).toEqual(["a", "b"]);
  });
});

describe("TaskStore.apply (the live feed)", () => {
  const counting = (api: TasksApi) => {
    const gets: string[] = [];
    return {
      gets,
      api: {
        ...api,
        get: (id: string) => {
          gets.push(id);
          return api.get(id);
        },
      } satisfies TasksApi,
    };
  };

  it("ignores an event about the version the page already holds", async () => {
    const { api: base } = fakeApi([task("a", { version: 2 })]);
    const { api, gets } = counting(base);
    const store = new TaskStore(api);
    await store.refresh();
    const before = store.getSnapshot();
    await store.apply({ type: "task.updated", id: "a", etag: '"2"' });
    await store.apply({ type: "task.updated", id: "a", etag: '"1"' });
    expect(gets).toEqual([]);
    expect(store.getSnapshot()).toBe(before);
  });

  it("reads a task changed elsewhere and shows the new version", async () => {
    const { api: base, rows } = fakeApi([task("a")]);
    const { api, gets } = counting(base);
    const store = new TaskStore(api);
    await store.refresh();
    rows.set("a", task("a", { title: "Renamed elsewhere", version: 2 }));
    await store.apply({ type: "task.updated", id: "a", etag: '"2"' });
    expect(gets).toEqual(["a"]);
    expect(store.getSnapshot().tasks).toMatchObject([{ title: "Renamed elsewhere", version: 2 }]);
  });

  it("adds a task created elsewhere in its place, newest first", async () => {
    const { api, rows } = fakeApi([task("a", { number: 1 }), task("c", { number: 3 })]);
    const store = new TaskStore(api);
    await store.refresh();
    rows.set("b", task("b", { number: 2 }));
    await store.apply({ type: "task.created", id: "b", etag: '"1"' });
    expect(store.getSnapshot().tasks.map((item) => item.id)).toEqual(["c", "b", "a"]);
  });

  it("drops a task deleted elsewhere, and one that is gone by the time it is read", async () => {
    const { api, rows } = fakeApi([task("a"), task("b")]);
    const store = new TaskStore(api);
    await store.refresh();
    await store.apply({ type: "task.deleted", id: "a", etag: '"1"' });
    rows.delete("b");
    await store.apply({ type: "task.updated", id: "b", etag: '"2"' });
    expect(store.getSnapshot().tasks).toEqual([]);
  });

  it("does not show the page's own new task twice when its event comes before its answer", async () => {
    const { api: base } = fakeApi([]);
    const answer = deferred<Task>();
    const api: TasksApi = { ...base, create: () => answer.promise };
    const store = new TaskStore(api);
    await store.refresh();
    const adding = store.add("Mine");
    const applying = store.apply({ type: "task.created", id: "t7", etag: '"1"' });
    answer.resolve(task("t7", { title: "Mine" }));
    await Promise.all([adding, applying]);
    expect(store.getSnapshot().tasks.map((item) => item.id)).toEqual(["t7"]);
  });

  it("waits for the page's own change to a task before reading it for an event", async () => {
    const { api: base } = fakeApi([task("a")]);
    const { api, gets } = counting(base);
    const store = new TaskStore(api);
    await store.refresh();
    const saving = store.update("a", { status: "done" });
    const applying = store.apply({ type: "task.updated", id: "a", etag: '"2"' });
    await Promise.all([saving, applying]);
    expect(gets).toEqual([]);
    expect(store.getSnapshot().tasks).toMatchObject([{ status: "done", version: 2 }]);
  });
});
