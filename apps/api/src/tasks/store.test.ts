import { beforeEach, describe, expect, it } from "vitest";
import { DATABASE_KINDS, useTestDatabase } from "../testing/db.js";
import {
  PAGE_SIZE_DEFAULT,
  PAGE_SIZE_MAX,
  type Scope,
  type Task,
  type TaskStore,
} from "./model.js";
import { FIND_BY_TITLE_MAX } from "./store.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MISSING_ID = "00000000-0000-4000-8000-000000000000";

/** The error a promise rejects with; fails the test when it resolves. */
async function failure(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error("expected a rejection");
}

const cursorOf = (text: string) => Buffer.from(text).toString("base64url");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(DATABASE_KINDS)("the task store on %s", (kind) => {
  const database = useTestDatabase(kind);
  let store: TaskStore;
  // One database per kind; each test works in tenants of its own.
  let tenantCount = 0;
  const tenant = (user = "alice"): Scope => ({ tenantId: `tenant_${++tenantCount}`, userId: user });
  const createMany = async (scope: Scope, count: number): Promise<Task[]> => {
    const created: Task[] = [];
    for (let i = 1; i <= count; i++)
      created.push(await store.create(scope, { title: `Task ${i}` }));
    return created;
  };

  beforeEach(() => {
    store = database().store;
  });

  describe("create", () => {
    it("stores an open task with empty notes, version 1 and the caller as author", async () => {
      const scope = tenant("alice");
      const task = await store.create(scope, { title: "Buy milk" });
      expect(task).toMatchObject({
        number: 1,
        title: "Buy milk",
        notes: "",
        status: "open",
        createdBy: "alice",
        version: 1,
      });
      expect(task.id).toMatch(UUID);
      expect(task.createdAt).toBeInstanceOf(Date);
      expect(task.updatedAt.getTime()).toBe(task.createdAt.getTime());
      expect(Object.keys(task).sort()).toEqual([
        "createdAt",
        "createdBy",
        "id",
        "notes",
        "number",
        "status",
        "title",
        "updatedAt",
        "version",
      ]);
      expect(await store.get(scope, task.id)).toEqual(task);
    });

    it("numbers each tenant's tasks 1, 2, 3, independently of other tenants", async () => {
      const [acme, globex] = [tenant(), tenant()];
      const numbers = [];
      for (const scope of [acme, globex, acme, acme, globex]) {
        numbers.push((await store.create(scope, { title: "x" })).number);
      }
      expect(numbers).toEqual([1, 1, 2, 3, 2]);
    });

    it("gives twenty concurrent creates distinct, consecutive numbers", async () => {
      const scope = tenant();
      const created = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.create(scope, { title: `Parallel ${i}` })),
      );
      expect(created.map((task) => task.number).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
    });

    it("shows only a gap-free prefix 1…n to lists taken while creates run", async () => {
      const scope = tenant();
      const work: Promise<unknown>[] = [];
      const lists: Promise<{ items: readonly Task[] }>[] = [];
      for (let i = 0; i < 15; i++) {
        work.push(store.create(scope, { title: `t${i}` }));
        lists.push(store.list(scope));
      }
      await Promise.all(work);
      for (const { items } of await Promise.all(lists)) {
        expect(items.map((task) => task.number)).toEqual(items.map((_, i) => items.length - i));
      }
    });

    it("keeps concurrent creates when one of them fails inside its transaction", async () => {
      const scope = tenant();
      // PostgreSQL text cannot hold NUL: this create fails in SQL, after its transaction began.
      const broken = { tenantId: "broken\u0000tenant", userId: "u" };
      const results = await Promise.allSettled(
        Array.from({ length: 9 }, (_, i) =>
          store.create(i === 4 ? broken : scope, { title: `t${i}` }),
        ),
      );
      expect(results.map((result) => result.status).filter((s) => s === "rejected")).toHaveLength(
        1,
      );
      const { items } = await store.list(scope);
      expect(items.map((task) => task.number)).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
    });

    it("never reuses a number, even after the newest task is deleted", async () => {
      const scope = tenant();
      const [, , third] = await createMany(scope, 3);
      await store.delete(scope, third!.id);
      expect((await store.create(scope, { title: "after" })).number).toBe(4);
    });

    it.each([
      "Robert'); DROP TABLE tasks;--",
      `"double" 'single' \`back\` \\ backslash`,
      "日本語のタスク 🚀 émoji, Ελληνικά, עברית",
      "100% _done_ [a-z]* $1 \\d",
      "  spaces kept  ",
    ])("stores %j verbatim", async (title) => {
      const scope = tenant();
      const notes = `${title}\nsecond line\ttab`;
      const task = await store.create(scope, { title, notes });
      expect(await store.get(scope, task.id)).toMatchObject({ title, notes });
    });

    it("accepts a title of the maximum length counted in characters, not UTF-16 units", async () => {
      const title = "🚀".repeat(200);
      const task = await store.create(tenant(), { title });
      expect(task.title).toBe(title);
    });

    it.each([
      ["title", { title: "nul\u0000byte" }],
      ["notes", { title: "ok", notes: "nul\u0000byte" }],
      ["title", { title: "x".repeat(201) }],
      ["notes", { title: "ok", notes: "x".repeat(10_001) }],
    ])(
      "refuses what PostgreSQL cannot store (%s) with ERR_VALIDATION, not an SQL error",
      async (field, input) => {
        const error = await failure(store.create(tenant(), input));
        expect(error.code).toBe("ERR_VALIDATION");
        expect(error.errors).toEqual([{ field, message: expect.any(String) }]);
      },
    );
  });

  describe("list", () => {
    it("lists newest first and filters by status", async () => {
      const scope = tenant();
      const [one, two, three] = await createMany(scope, 3);
      await store.update(scope, two!.id, { status: "done" });
      const all = await store.list(scope);
      expect(all.items.map((task) => task.number)).toEqual([3, 2, 1]);
      expect(all.nextCursor).toBeNull();
      const open = await store.list(scope, { status: "open" });
      expect(open.items.map((task) => task.id)).toEqual([three!.id, one!.id]);
      const done = await store.list(scope, { status: "done" });
      expect(done.items.map((task) => task.id)).toEqual([two!.id]);
    });

    it("lists only the caller's tenant", async () => {
      const [acme, globex] = [tenant(), tenant()];
      await createMany(acme, 2);
      expect((await store.list(globex)).items).toEqual([]);
    });

    it.each([5, 4])(
      "walks %i tasks exactly once, two at a time, ending with a null cursor",
      async (count) => {
        const scope = tenant();
        await createMany(scope, count);
        const seen: number[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.list(scope, { limit: 2, ...(cursor ? { cursor } : {}) });
          seen.push(...page.items.map((task) => task.number));
          cursor = page.nextCursor ?? undefined;
          pages++;
        } while (cursor !== undefined && pages < 10);
        expect(seen).toEqual(Array.from({ length: count }, (_, i) => count - i));
        expect(pages).toBe(Math.ceil(count / 2));
      },
    );

    it("pages a status filter with the same cursor", async () => {
      const scope = tenant();
      const tasks = await createMany(scope, 6);
      for (const task of tasks.filter((t) => t.number % 2 === 0)) {
        await store.update(scope, task.id, { status: "done" });
      }
      const first = await store.list(scope, { status: "done", limit: 2 });
      expect(first.items.map((task) => task.number)).toEqual([6, 4]);
      const second = await store.list(scope, {
        status: "done",
        limit: 2,
        cursor: first.nextCursor!,
      });
      expect(second.items.map((task) => task.number)).toEqual([2]);
      expect(second.nextCursor).toBeNull();
    });

    it("uses 50 by default, at most 100 and at least 1", async () => {
      const scope = tenant();
      await Promise.all(
        Array.from({ length: PAGE_SIZE_MAX + 1 }, () => store.create(scope, { title: "t" })),
      );
      expect((await store.list(scope)).items).toHaveLength(PAGE_SIZE_DEFAULT);
      expect((await store.list(scope, { limit: 1_000 })).items).toHaveLength(PAGE_SIZE_MAX);
      expect((await store.list(scope, { limit: 0 })).items).toHaveLength(1);
      expect((await store.list(scope, { limit: -3 })).items).toHaveLength(1);
      expect((await store.list(scope, { limit: 2.9 })).items).toHaveLength(2);
    });

    it.each([
      ["an empty string", ""],
      ["a random word", "abc"],
      ["a raw number", "3"],
      ["position 0", cursorOf("v1:0")],
      ["a negative position", cursorOf("v1:-1")],
      ["another version", cursorOf("v2:3")],
      ["a position beyond integer range", cursorOf("v1:99999999999")],
      ["a padded encoding", `${cursorOf("v1:3")}==`],
      ["SQL", "' or 1=1 --"],
    ])("refuses %s as a cursor with ERR_VALIDATION on field cursor", async (_name, cursor) => {
      const error = await failure(store.list(tenant(), { cursor }));
      expect(error.code).toBe("ERR_VALIDATION");
      expect(error.errors).toEqual([{ field: "cursor", message: expect.any(String) }]);
    });

    it("treats a cursor as a position only: another tenant's cursor shows the caller's own tasks", async () => {
      const [acme, globex] = [tenant(), tenant()];
      await createMany(acme, 4);
      const globexTasks = await createMany(globex, 3);
      const acmePage = await store.list(acme, { limit: 2 });
      const page = await store.list(globex, { cursor: acmePage.nextCursor! });
      expect(page.items.map((task) => task.id)).toEqual([globexTasks[1]!.id, globexTasks[0]!.id]);
    });
  });

  describe("get and getByNumber", () => {
    it("finds a task by its tenant-local number", async () => {
      const scope = tenant();
      const [, second] = await createMany(scope, 2);
      expect(await store.getByNumber(scope, 2)).toEqual(second);
    });

    it.each([0, -1, 1.5, 2 ** 31, Number.NaN, 3])(
      "answers number %s as not found",
      async (number) => {
        const scope = tenant();
        await createMany(scope, 2);
        expect((await failure(store.getByNumber(scope, number))).code).toBe("ERR_NOT_FOUND");
      },
    );

    it.each([
      ["an empty id", ""],
      ["a number", "1"],
      ["a word", "not-a-uuid"],
      ["SQL", "' or '1'='1"],
      ["a UUID with a suffix", `${MISSING_ID}x`],
      ["a UUID with a bad digit", "00000000-0000-4000-8000-00000000000g"],
      ["an unknown UUID", MISSING_ID],
    ])("answers %s as not found in get, update and delete", async (_name, id) => {
      const scope = tenant();
      expect((await failure(store.get(scope, id))).code).toBe("ERR_NOT_FOUND");
      expect((await failure(store.update(scope, id, { title: "x" }))).code).toBe("ERR_NOT_FOUND");
      expect((await failure(store.update(scope, id, {}))).code).toBe("ERR_NOT_FOUND");
      expect((await failure(store.delete(scope, id))).code).toBe("ERR_NOT_FOUND");
    });
  });

  describe("update", () => {
    it("applies the patch, bumps the version and updatedAt", async () => {
      const scope = tenant();
      const task = await store.create(scope, { title: "Draft", notes: "n" });
      await sleep(5);
      const updated = await store.update(scope, task.id, { title: "Final", status: "done" });
      expect(updated).toMatchObject({
        id: task.id,
        number: task.number,
        title: "Final",
        notes: "n",
      });
      expect(updated).toMatchObject({ status: "done", version: 2, createdAt: task.createdAt });
      expect(updated.updatedAt.getTime()).toBeGreaterThan(task.updatedAt.getTime());
      expect(await store.get(scope, task.id)).toEqual(updated);
      expect((await store.update(scope, task.id, { notes: "" })).version).toBe(3);
    });

    it("returns the task unchanged for an empty patch, without a new version", async () => {
      const scope = tenant();
      const task = await store.create(scope, { title: "Same" });
      expect(await store.update(scope, task.id, {})).toEqual(task);
      expect(await store.update(scope, task.id, { title: undefined })).toEqual(task);
      expect(await store.get(scope, task.id)).toEqual(task);
    });

    it("applies a change whose precondition names the current version", async () => {
      const scope = tenant();
      const task = await store.create(scope, { title: "v1" });
      const updated = await store.update(scope, task.id, { title: "v2" }, { versions: [7, 1] });
      expect(updated.version).toBe(2);
    });

    it.each([
      ["an older version", [1]],
      ["no version at all", []],
      ["versions beyond integer range", [2 ** 31, 1e20]],
    ])(
      "refuses a stale precondition (%s) with ERR_PRECONDITION_FAILED and the current ETag",
      async (_name, versions) => {
        const scope = tenant();
        const task = await store.create(scope, { title: "v1" });
        const current = await store.update(scope, task.id, { title: "v2" });
        for (const patch of [{ title: "v3" }, {}]) {
          const error = await failure(store.update(scope, task.id, patch, { versions }));
          expect(error.code).toBe("ERR_PRECONDITION_FAILED");
          expect(error.headers).toEqual({ etag: '"2"' });
        }
        expect(await store.get(scope, task.id)).toEqual(current);
      },
    );

    it("answers a precondition on a missing task as not found, not as failed", async () => {
      const error = await failure(
        store.update(tenant(), MISSING_ID, { title: "x" }, { versions: [1] }),
      );
      expect(error.code).toBe("ERR_NOT_FOUND");
    });

    it("lets exactly one of several concurrent changes from the same version win", async () => {
      const scope = tenant();
      const task = await store.create(scope, { title: "race" });
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, (_, i) =>
          store.update(scope, task.id, { title: `w${i}` }, { versions: [1] }),
        ),
      );
      expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
      expect((await store.get(scope, task.id)).version).toBe(2);
    });

    it("refuses a title PostgreSQL cannot store with ERR_VALIDATION", async () => {
      const scope = tenant();
      const task = await store.create(scope, { title: "ok" });
      const error = await failure(store.update(scope, task.id, { title: "a\u0000b" }));
      expect(error.code).toBe("ERR_VALIDATION");
      expect(await store.get(scope, task.id)).toEqual(task);
    });
  });

  describe("delete", () => {
    it("returns the deleted task, which is then not found", async () => {
      const scope = tenant();
      const task = await store.create(scope, { title: "Gone soon" });
      expect(await store.delete(scope, task.id)).toEqual(task);
      expect((await failure(store.get(scope, task.id))).code).toBe("ERR_NOT_FOUND");
      expect((await failure(store.delete(scope, task.id))).code).toBe("ERR_NOT_FOUND");
    });

    it("refuses a stale precondition and keeps the task; deletes with a matching one", async () => {
      const scope = tenant();
      const task = await store.create(scope, { title: "v1" });
      await store.update(scope, task.id, { title: "v2" });
      const error = await failure(store.delete(scope, task.id, { versions: [1] }));
      expect(error.code).toBe("ERR_PRECONDITION_FAILED");
      expect(error.headers).toEqual({ etag: '"2"' });
      expect((await store.get(scope, task.id)).title).toBe("v2");
      expect((await store.delete(scope, task.id, { versions: [2] })).title).toBe("v2");
    });
  });

  describe("findByTitle", () => {
    it("matches ignoring case and surrounding space, newest first", async () => {
      const scope = tenant();
      const older = await store.create(scope, { title: "Buy Milk" });
      await store.create(scope, { title: "Buy milk and eggs" });
      const newer = await store.create(scope, { title: "BUY MILK" });
      const found = await store.findByTitle(scope, "  buy milk ");
      expect(found.map((task) => task.id)).toEqual([newer.id, older.id]);
    });

    it.each([
      ["École Ünïcode", "école ünïcode"],
      ["École", "E\u0301cole"],
      ["ΣΑΣ", "σασ"],
      ["Straße", "STRASSE"],
      ["ﬁle", "FILE"],
    ])("matches %j when asked for %j, on every database alike", async (title, asked) => {
      const scope = tenant();
      const task = await store.create(scope, { title });
      expect(await store.findByTitle(scope, asked)).toEqual([task]);
    });

    it("follows a title change", async () => {
      const scope = tenant();
      const task = await store.create(scope, { title: "Old name" });
      await store.update(scope, task.id, { title: "New Name" });
      expect(await store.findByTitle(scope, "old name")).toEqual([]);
      expect((await store.findByTitle(scope, "new name")).map((t) => t.id)).toEqual([task.id]);
    });

    it("finds only the caller's tenant's tasks", async () => {
      const [acme, globex] = [tenant(), tenant()];
      await store.create(acme, { title: "Secret plan" });
      expect(await store.findByTitle(globex, "secret plan")).toEqual([]);
    });

    it("treats LIKE wildcards literally and finds nothing for a blank title", async () => {
      const scope = tenant();
      await store.create(scope, { title: "anything" });
      expect(await store.findByTitle(scope, "%")).toEqual([]);
      expect(await store.findByTitle(scope, "   ")).toEqual([]);
    });

    it(`returns at most ${FIND_BY_TITLE_MAX} tasks`, async () => {
      const scope = tenant();
      await Promise.all(
        Array.from({ length: FIND_BY_TITLE_MAX + 2 }, () => store.create(scope, { title: "Same" })),
      );
      const found = await store.findByTitle(scope, "same");
      expect(found).toHaveLength(FIND_BY_TITLE_MAX);
      expect(found[0]!.number).toBe(FIND_BY_TITLE_MAX + 2);
    });
  });
});
