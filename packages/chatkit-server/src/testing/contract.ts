import { describe, expect, it } from "vitest";
import type { ChatKitOwner, ChatKitStore } from "../store.js";
import type { ThreadItem, ThreadMetadata } from "../types.js";

/**
 * The storage contract every {@link ChatKitStore} must keep, as vitest tests: run it against
 * your own store to know the server can rely on it. Each test uses owners and ids of its own
 * (with a random run id), so the store may be shared between tests and keep earlier data.
 *
 * @param name - shown in the suite's title, e.g. `"redisStore"`.
 * @param makeStore - called in each test; may return the same store every time.
 * @example
 * ```ts
 * import { describeChatKitStoreContract } from "handoff-chatkit/testing";
 * describeChatKitStoreContract("myStore", () => myStore(client));
 * ```
 */
export function describeChatKitStoreContract(
  name: string,
  makeStore: () => ChatKitStore | Promise<ChatKitStore>,
): void {
  const run = crypto.randomUUID().slice(0, 8);
  const owners = (test: string) => ({
    alice: { tenantId: `t_a_${run}_${test}`, userId: "alice" } satisfies ChatKitOwner,
    bob: { tenantId: `t_a_${run}_${test}`, userId: "bob" } satisfies ChatKitOwner,
    aliceElsewhere: { tenantId: `t_b_${run}_${test}`, userId: "alice" } satisfies ChatKitOwner,
    tenantless: { userId: `alice_${run}_${test}` } satisfies ChatKitOwner,
  });

  describe(`the ChatKit store contract (${name})`, () => {
    it("saves a thread, reads it back, and replaces its title, status and metadata", async () => {
      const store = await makeStore();
      const { alice } = owners("save");
      const t = thread("thr_save");
      await store.saveThread(alice, t);
      expect(await store.loadThread(alice, "thr_save")).toEqual(t);
      const changed = {
        ...t,
        title: "Groceries",
        status: { type: "locked" as const, reason: "done" },
        metadata: { k: "v" },
        created_at: at(),
      };
      await store.saveThread(alice, changed);
      // `created_at` is the creation's, whatever a later save says.
      expect(await store.loadThread(alice, "thr_save")).toEqual({
        ...changed,
        created_at: t.created_at,
      });
    });

    it("keeps each owner's threads apart, even under the same id", async () => {
      const store = await makeStore();
      const { alice, bob, aliceElsewhere, tenantless } = owners("apart");
      await store.saveThread(alice, { ...thread("thr_same"), title: "alice's" });
      await store.saveThread(bob, { ...thread("thr_same"), title: "bob's" });
      expect((await store.loadThread(alice, "thr_same")).title).toBe("alice's");
      expect((await store.loadThread(bob, "thr_same")).title).toBe("bob's");
      expect(await code(store.loadThread(aliceElsewhere, "thr_same"))).toBe("ERR_NOT_FOUND");
      await store.deleteThread(bob, "thr_same");
      expect((await store.loadThread(alice, "thr_same")).title).toBe("alice's");
      // A context without a tenant is an owner like any other, and `""` is the same tenant.
      await store.saveThread(tenantless, thread("thr_plain"));
      expect(
        (await store.loadThread({ tenantId: "", userId: tenantless.userId }, "thr_plain")).id,
      ).toBe("thr_plain");
      expect(await code(store.loadThread(alice, "thr_plain"))).toBe("ERR_NOT_FOUND");
    });

    it("pages threads by creation, newest or oldest first, with the last id as cursor", async () => {
      const store = await makeStore();
      const { alice: owner, bob } = owners("pages");
      const same = at();
      for (const id of ["t1", "t2", "t3"]) await store.saveThread(owner, thread(id, same));
      await store.saveThread(owner, thread("t4"));
      await store.saveThread(bob, thread("not_mine"));

      const first = await store.loadThreads(owner, { limit: 2, order: "desc" });
      expect(first.data.map((t) => t.id)).toEqual(["t4", "t3"]);
      expect(first).toMatchObject({ has_more: true, after: "t3" });
      const second = await store.loadThreads(owner, { limit: 2, order: "desc", after: "t3" });
      expect(second).toEqual({
        data: [expect.objectContaining({ id: "t2" }), expect.objectContaining({ id: "t1" })],
        has_more: false,
      });
      const oldest = await store.loadThreads(owner, { limit: 10, order: "asc", after: "t1" });
      expect(oldest.data.map((t) => t.id)).toEqual(["t2", "t3", "t4"]);
      expect(
        await code(store.loadThreads(owner, { limit: 2, order: "desc", after: "not_mine" })),
      ).toBe("ERR_VALIDATION");
    });

    it("adds, pages, replaces, loads and deletes items in order", async () => {
      const store = await makeStore();
      const { alice } = owners("items");
      await store.saveThread(alice, thread("thr_items"));
      const first = message("i1", "thr_items", "one");
      const same = at();
      const items = [
        first,
        message("i2", "thr_items", "two", same),
        message("i3", "thr_items", "three", same),
        message("i4", "thr_items", "four"),
      ];
      for (const item of items) await store.addThreadItem(alice, "thr_items", item);

      const asc = await store.loadThreadItems(alice, "thr_items", { limit: 3, order: "asc" });
      expect(asc).toEqual({ data: items.slice(0, 3), has_more: true, after: "i3" });
      expect(
        await store.loadThreadItems(alice, "thr_items", { limit: 3, order: "asc", after: "i3" }),
      ).toEqual({ data: [items[3]], has_more: false });
      const desc = await store.loadThreadItems(alice, "thr_items", {
        limit: 2,
        order: "desc",
        after: "i4",
      });
      expect(desc.data.map((item) => item.id)).toEqual(["i3", "i2"]);
      expect(
        await code(
          store.loadThreadItems(alice, "thr_items", { limit: 2, order: "asc", after: "zz" }),
        ),
      ).toBe("ERR_VALIDATION");

      const replaced = message("i2", "thr_items", "TWO", same);
      await store.saveItem(alice, "thr_items", replaced);
      expect(await store.loadItem(alice, "thr_items", "i2")).toEqual(replaced);
      await store.deleteThreadItem(alice, "thr_items", "i2");
      expect(await code(store.loadItem(alice, "thr_items", "i2"))).toBe("ERR_NOT_FOUND");
      expect(await code(store.saveItem(alice, "thr_items", replaced))).toBe("ERR_NOT_FOUND");
    });

    it("refuses items for a thread that is not the owner's, and hides others' items", async () => {
      const store = await makeStore();
      const { alice, bob } = owners("owned");
      await store.saveThread(alice, thread("thr_owned"));
      await store.addThreadItem(alice, "thr_owned", message("secret", "thr_owned", "secret"));
      expect(
        await code(store.addThreadItem(bob, "thr_owned", message("x", "thr_owned", "x"))),
      ).toBe("ERR_NOT_FOUND");
      expect(await code(store.loadItem(bob, "thr_owned", "secret"))).toBe("ERR_NOT_FOUND");
      expect(
        await code(store.saveItem(bob, "thr_owned", message("secret", "thr_owned", "mine"))),
      ).toBe("ERR_NOT_FOUND");
      await store.deleteThreadItem(bob, "thr_owned", "secret");
      expect(
        (await store.loadThreadItems(bob, "thr_owned", { limit: 10, order: "asc" })).data,
      ).toEqual([]);
      expect((await store.loadItem(alice, "thr_owned", "secret")).id).toBe("secret");
    });

    it("deletes a thread with its items", async () => {
      const store = await makeStore();
      const { alice } = owners("gone");
      await store.saveThread(alice, thread("thr_gone"));
      await store.addThreadItem(alice, "thr_gone", message("g1", "thr_gone", "bye"));
      await store.deleteThread(alice, "thr_gone");
      expect(await code(store.loadThread(alice, "thr_gone"))).toBe("ERR_NOT_FOUND");
      expect(await code(store.loadItem(alice, "thr_gone", "g1"))).toBe("ERR_NOT_FOUND");
      // A thread created again under the same id starts empty.
      await store.saveThread(alice, thread("thr_gone"));
      expect(
        (await store.loadThreadItems(alice, "thr_gone", { limit: 10, order: "asc" })).data,
      ).toEqual([]);
    });

    it("stores attachments per owner", async () => {
      const store = await makeStore();
      const { alice, bob } = owners("attachments");
      const attachment = {
        type: "file" as const,
        id: "atc_1",
        name: "a.txt",
        mime_type: "text/plain",
      };
      await store.saveAttachment(alice, attachment);
      expect(await store.loadAttachment(alice, "atc_1")).toEqual(attachment);
      expect(await code(store.loadAttachment(bob, "atc_1"))).toBe("ERR_NOT_FOUND");
      await store.deleteAttachment(bob, "atc_1");
      await store.deleteAttachment(alice, "atc_1");
      expect(await code(store.loadAttachment(alice, "atc_1"))).toBe("ERR_NOT_FOUND");
    });

    it("answers ids a database could not compare (NUL, 201 characters, empty) as not found", async () => {
      const store = await makeStore();
      const { alice } = owners("odd");
      for (const id of ["a\u0000b", "x".repeat(201), ""]) {
        expect(await code(store.loadThread(alice, id))).toBe("ERR_NOT_FOUND");
        expect(await code(store.loadItem(alice, id, id))).toBe("ERR_NOT_FOUND");
        expect(await code(store.loadAttachment(alice, id))).toBe("ERR_NOT_FOUND");
        expect(await code(store.addThreadItem(alice, id, message("m", id, "m")))).toBe(
          "ERR_NOT_FOUND",
        );
        expect((await store.loadThreadItems(alice, id, { limit: 1, order: "asc" })).data).toEqual(
          [],
        );
      }
    });
  });
}

let clock = Date.parse("2026-01-01T00:00:00.000Z");
/** A later moment each call, a second apart. */
function at(): string {
  clock += 1000;
  return new Date(clock).toISOString();
}

function thread(id: string, created_at = at()): ThreadMetadata {
  return { id, created_at, status: { type: "active" }, metadata: {} };
}

function message(id: string, threadId: string, text: string, created_at = at()): ThreadItem {
  return {
    type: "assistant_message",
    id,
    thread_id: threadId,
    created_at,
    content: [{ type: "output_text", text, annotations: [] }],
  };
}

/** The `code` a promise rejects with, or `"resolved"`. */
function code(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => "resolved",
    (error: { code?: string }) => error.code,
  );
}
