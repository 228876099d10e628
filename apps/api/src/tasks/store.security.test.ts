import { beforeEach, describe, expect, it } from "vitest";
import { DATABASE_KINDS, useTestDatabase } from "../testing/db.js";
import type { Scope, Task, TaskStore } from "./model.js";

/** The code a promise rejects with. */
async function codeOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
  return "resolved";
}

describe.each(DATABASE_KINDS)("tenant isolation on %s", (kind) => {
  const database = useTestDatabase(kind);
  let store: TaskStore;
  const acme: Scope = { tenantId: "acme", userId: "alice" };
  const intruder: Scope = { tenantId: "globex", userId: "mallory" };
  let task!: Task;

  beforeEach(async () => {
    store = database().store;
    task ??= await store.create(acme, { title: "Acme secret", notes: "do not leak" });
  });

  it("answers another tenant's task exactly like a missing one, for every operation", async () => {
    const missing = "00000000-0000-4000-8000-000000000000";
    for (const id of [task.id, missing]) {
      expect(await codeOf(store.get(intruder, id))).toBe("ERR_NOT_FOUND");
      expect(await codeOf(store.update(intruder, id, { title: "pwned" }))).toBe("ERR_NOT_FOUND");
      expect(await codeOf(store.update(intruder, id, {}))).toBe("ERR_NOT_FOUND");
      // A stale precondition must not turn into a 412 that reveals the task exists.
      expect(await codeOf(store.update(intruder, id, { title: "x" }, { versions: [99] }))).toBe(
        "ERR_NOT_FOUND",
      );
      expect(await codeOf(store.update(intruder, id, {}, { versions: [99] }))).toBe(
        "ERR_NOT_FOUND",
      );
      expect(await codeOf(store.delete(intruder, id, { versions: [99] }))).toBe("ERR_NOT_FOUND");
      expect(await codeOf(store.delete(intruder, id))).toBe("ERR_NOT_FOUND");
    }
    expect(await codeOf(store.getByNumber(intruder, task.number))).toBe("ERR_NOT_FOUND");
  });

  it("leaves the task untouched after the attempts", async () => {
    expect(await store.get(acme, task.id)).toEqual(task);
  });

  it("shows nothing of another tenant in lists and title searches", async () => {
    expect((await store.list(intruder)).items).toEqual([]);
    expect(await store.findByTitle(intruder, "acme secret")).toEqual([]);
  });

  it("numbers the intruder's own tasks from 1: the counter is per tenant", async () => {
    expect((await store.create(intruder, { title: "mine" })).number).toBe(1);
  });
});
