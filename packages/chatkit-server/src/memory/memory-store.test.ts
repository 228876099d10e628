import { describe, expect, it } from "vitest";
import { describeChatKitStoreContract } from "../testing/index.js";
import { memoryStore } from "./memory-store.js";

const shared = memoryStore();
describeChatKitStoreContract("memoryStore", () => shared);

const thread = (id: string, second: number) => ({
  id,
  created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString(),
  status: { type: "active" as const },
  metadata: {},
});

describe("memoryStore's bounds", () => {
  it("drops an owner's oldest thread past maxThreadsPerOwner, and no one else's", async () => {
    const store = memoryStore({ maxThreadsPerOwner: 2 });
    const alice = { userId: "alice" };
    const bob = { userId: "bob" };
    await store.saveThread(bob, thread("b1", 0));
    for (const [i, id] of ["a1", "a2", "a3"].entries())
      await store.saveThread(alice, thread(id, i + 1));
    const ids = (await store.loadThreads(alice, { limit: 10, order: "asc" })).data.map((t) => t.id);
    expect(ids).toEqual(["a2", "a3"]);
    expect((await store.loadThread(bob, "b1")).id).toBe("b1");
  });

  it("drops the oldest thread of anyone past maxThreads", async () => {
    const store = memoryStore({ maxThreads: 2 });
    await store.saveThread({ userId: "a" }, thread("t1", 1));
    await store.saveThread({ userId: "b" }, thread("t2", 2));
    await store.saveThread({ userId: "c" }, thread("t3", 3));
    await expect(store.loadThread({ userId: "a" }, "t1")).rejects.toMatchObject({
      code: "ERR_NOT_FOUND",
    });
    expect((await store.loadThread({ userId: "c" }, "t3")).id).toBe("t3");
  });

  it("drops a thread's oldest item past maxItemsPerThread", async () => {
    const store = memoryStore({ maxItemsPerThread: 2 });
    const owner = { userId: "a" };
    await store.saveThread(owner, thread("t", 0));
    for (const id of ["i1", "i2", "i3"]) {
      await store.addThreadItem(owner, "t", {
        type: "end_of_turn",
        id,
        thread_id: "t",
        created_at: new Date().toISOString(),
      });
    }
    const page = await store.loadThreadItems(owner, "t", { limit: 10, order: "asc" });
    expect(page.data.map((item) => item.id)).toEqual(["i2", "i3"]);
  });

  it("keeps copies: changing a saved object changes nothing stored", async () => {
    const store = memoryStore();
    const owner = { userId: "a" };
    const saved = thread("t", 0);
    await store.saveThread(owner, saved);
    saved.metadata = { changed: true };
    (await store.loadThread(owner, "t")).title = "not saved";
    expect(await store.loadThread(owner, "t")).toEqual(thread("t", 0));
  });
});
