import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Client,
  JSON_HEADERS,
  type JsonResponse,
  startTestApi,
  type TestApi,
} from "../testing/api.js";
import { DATABASE_KINDS } from "../testing/db.js";

const post = (client: Client, body: unknown) =>
  client("/api/tasks", { method: "POST", headers: JSON_HEADERS, body: JSON.stringify(body) });
const patch = (client: Client, id: string, body: unknown, headers: Record<string, string> = {}) =>
  client(`/api/tasks/${id}`, {
    method: "PATCH",
    headers: { ...JSON_HEADERS, ...headers },
    body: JSON.stringify(body),
  });

describe.each(DATABASE_KINDS)("the tasks resource on %s", (kind) => {
  let api: TestApi;
  let alice: Client;
  let bob: Client;
  beforeAll(async () => {
    api = await startTestApi(kind);
    alice = await api.as("tenant_a", "alice");
    bob = await api.as("tenant_a", "bob");
  });
  afterAll(() => api?.close());

  it("creates a task: 201, Location, ETag, and the task as JSON", async () => {
    const response = await post(alice, { title: "  Buy milk  ", notes: "2 litres" });
    expect(response.status).toBe(201);
    const task = await response.json();
    expect(task).toMatchObject({
      title: "Buy milk",
      notes: "2 litres",
      status: "open",
      createdBy: "alice",
      version: 1,
    });
    expect(task.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number.isInteger(task.number)).toBe(true);
    expect(new Date(task.createdAt).toISOString()).toBe(task.createdAt);
    expect(task.updatedAt).toBe(task.createdAt);
    expect(response.headers.get("location")).toBe(`/api/tasks/${task.id}`);
    expect(response.headers.get("etag")).toBe('"1"');

    const read = await alice(response.headers.get("location") as string);
    expect(read.status).toBe(200);
    expect(read.headers.get("etag")).toBe('"1"');
    expect(await read.json()).toEqual(task);
  });

  it("defaults notes to an empty string and keeps unicode, quotes and SQL-looking text verbatim", async () => {
    const title = `Ünïcødé 🥛 "quoted" '); DROP TABLE tasks; --`;
    const task = await (await post(alice, { title })).json();
    expect(task.notes).toBe("");
    expect((await (await alice(`/api/tasks/${task.id}`)).json()).title).toBe(title);
  });

  it("shares a tenant's tasks between its users and records who created each", async () => {
    const task = await (await post(alice, { title: "Shared" })).json();
    const seen = await bob(`/api/tasks/${task.id}`);
    expect(seen.status).toBe(200);
    expect((await seen.json()).createdBy).toBe("alice");
  });

  it("changes the given fields only, bumping version, updatedAt and the ETag", async () => {
    const created = await (await post(alice, { title: "Water plants", notes: "ferns" })).json();
    const response = await patch(alice, created.id, { status: "done" });
    expect(response.status).toBe(200);
    const changed = await response.json();
    expect(changed).toMatchObject({
      title: "Water plants",
      notes: "ferns",
      status: "done",
      version: 2,
    });
    expect(response.headers.get("etag")).toBe('"2"');
    expect(Date.parse(changed.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt));
    const reopened = await (
      await patch(alice, created.id, { status: "open", title: "Water ferns" })
    ).json();
    expect(reopened).toMatchObject({ title: "Water ferns", status: "open", version: 3 });
  });

  it("deletes a task: 204, then 404", async () => {
    const task = await (await post(alice, { title: "Temporary" })).json();
    const response = await alice(`/api/tasks/${task.id}`, { method: "DELETE" });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    const gone = await alice(`/api/tasks/${task.id}`);
    expect(gone.status).toBe(404);
    expect((await gone.json()).code).toBe("ERR_NOT_FOUND");
    expect((await alice(`/api/tasks/${task.id}`, { method: "DELETE" })).status).toBe(404);
  });

  it("answers 404 problem+json for an id that is not a UUID", async () => {
    for (const id of ["nope", "1", "' OR 1=1 --", "%00"]) {
      const response = await alice(`/api/tasks/${id}`);
      expect(response.status, id).toBe(404);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
    }
  });

  describe("listing", () => {
    let carol: Client;
    beforeAll(async () => {
      carol = await api.as("tenant_list", "carol");
      for (const title of ["one", "two", "three", "four", "five"]) await post(carol, { title });
      const [, two, , four] = (await (await carol("/api/tasks")).json()).items.reverse();
      await patch(carol, two.id, { status: "done" });
      await patch(carol, four.id, { status: "done" });
    });

    it("lists the tenant's tasks newest first", async () => {
      const response = await carol("/api/tasks");
      expect(response.status).toBe(200);
      const page = await response.json();
      expect(page.items.map((task: { title: string }) => task.title)).toEqual([
        "five",
        "four",
        "three",
        "two",
        "one",
      ]);
      expect(page.nextCursor).toBeNull();
      expect(response.headers.get("link")).toBeNull();
    });

    it("filters by status", async () => {
      const open = await (await carol("/api/tasks?status=open")).json();
      expect(open.items.map((task: { title: string }) => task.title)).toEqual([
        "five",
        "three",
        "one",
      ]);
      const done = await (await carol("/api/tasks?status=done")).json();
      expect(done.items.map((task: { title: string }) => task.title)).toEqual(["four", "two"]);
    });

    it("pages with a cursor, each task exactly once, and a Link to the next page", async () => {
      const titles: string[] = [];
      let path: string | null = "/api/tasks?limit=2";
      let pages = 0;
      while (path !== null) {
        const response = await carol(path);
        expect(response.status).toBe(200);
        const page = await response.json();
        pages += 1;
        titles.push(...page.items.map((task: { title: string }) => task.title));
        const link = response.headers.get("link");
        if (page.nextCursor === null) {
          expect(link).toBeNull();
          path = null;
        } else {
          expect(link).toBe(`<?limit=2&cursor=${encodeURIComponent(page.nextCursor)}>; rel="next"`);
          const reference = (link as string).slice(1, (link as string).indexOf(">"));
          // Resolved as a browser would, against the URL it asked for (under a proxy mount too).
          expect(new URL(reference, "http://web.test/api/proxy/api/tasks?limit=2").pathname).toBe(
            "/api/proxy/api/tasks",
          );
          const next: URL = new URL(reference, new URL(path, api.url));
          path = next.pathname + next.search;
        }
      }
      expect(pages).toBe(3);
      expect(titles).toEqual(["five", "four", "three", "two", "one"]);
    });

    it("pages within a status filter", async () => {
      const first = await (await carol("/api/tasks?status=open&limit=2")).json();
      expect(first.items.map((task: { title: string }) => task.title)).toEqual(["five", "three"]);
      const second = await (
        await carol(`/api/tasks?status=open&limit=2&cursor=${encodeURIComponent(first.nextCursor)}`)
      ).json();
      expect(second.items.map((task: { title: string }) => task.title)).toEqual(["one"]);
      expect(second.nextCursor).toBeNull();
    });
  });

  describe("validation answers 422 problem+json naming the field", () => {
    const expect422 = async (response: JsonResponse, field: string) => {
      expect(response.status).toBe(422);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      const body = await response.json();
      expect(body.code).toBe("ERR_VALIDATION");
      expect(body.errors.map((error: { field: string }) => error.field)).toContain(field);
      expect(body.detail).toContain(`\`${body.errors[0].field}\``);
      return body;
    };

    it.each([
      ["a missing title", {}, "title"],
      ["an empty title", { title: "" }, "title"],
      ["a blank title", { title: "   " }, "title"],
      ["a title that is not a string", { title: 42 }, "title"],
      ["a title over 200 characters", { title: "x".repeat(201) }, "title"],
      ["a title with a line break", { title: "a\nb" }, "title"],
      ["a title with NUL", { title: "a\u0000b" }, "title"],
      ["notes that are not a string", { title: "ok", notes: ["x"] }, "notes"],
      ["notes over 10,000 characters", { title: "ok", notes: "x".repeat(10_001) }, "notes"],
      ["notes with NUL", { title: "ok", notes: "a\u0000b" }, "notes"],
      ["an unknown field", { title: "ok", titel: "typo" }, "titel"],
    ])("POST with %s", async (_name, body, field) => {
      await expect422(await post(alice, body), field);
    });

    it("POST with a lone surrogate in the title (it cannot be stored as UTF-8)", async () => {
      const response = await alice("/api/tasks", {
        method: "POST",
        headers: JSON_HEADERS,
        body: '{"title":"broken \\ud800 text"}',
      });
      await expect422(response, "title");
    });

    it("lists every rejected field", async () => {
      const body = await expect422(await post(alice, { title: "", notes: 7 }), "title");
      expect(body.errors.map((error: { field: string }) => error.field).sort()).toEqual([
        "notes",
        "title",
      ]);
    });

    it.each([
      ["an unknown status", { status: "finished" }, "status"],
      ["a null title", { title: null }, "title"],
      ["an unknown field", { done: true }, "done"],
    ])("PATCH with %s, leaving the task unchanged", async (_name, body, field) => {
      const task = await (await post(alice, { title: "Stable" })).json();
      await expect422(await patch(alice, task.id, body), field);
      expect(await (await alice(`/api/tasks/${task.id}`)).json()).toEqual(task);
    });

    it.each([
      ["status=finished", "status"],
      ["limit=0", "limit"],
      ["limit=101", "limit"],
      ["limit=ten", "limit"],
      ["limit=1&limit=2", "limit"],
    ])("GET /api/tasks?%s", async (query, field) => {
      await expect422(await alice(`/api/tasks?${query}`), field);
    });

    it("refuses a cursor the API did not issue", async () => {
      await expect422(await alice("/api/tasks?cursor=forged"), "cursor");
    });
  });

  describe("bodies that are not a JSON object", () => {
    it.each([
      ["malformed JSON", "application/json", '{"title":', 400, "ERR_BAD_REQUEST"],
      ["a JSON array", "application/json", '[{"title":"x"}]', 400, "ERR_BAD_REQUEST"],
      ["JSON null", "application/json", "null", 400, "ERR_BAD_REQUEST"],
      ["an empty body", "application/json", "", 400, "ERR_BAD_REQUEST"],
      [
        "a form post",
        "application/x-www-form-urlencoded",
        "title=x",
        415,
        "ERR_UNSUPPORTED_MEDIA_TYPE",
      ],
      ["text", "text/plain", '{"title":"x"}', 415, "ERR_UNSUPPORTED_MEDIA_TYPE"],
    ])("answer %s with a problem", async (_name, type, body, status, code) => {
      const before = (await (await alice("/api/tasks?limit=100")).json()).items.length;
      const response = await alice("/api/tasks", {
        method: "POST",
        headers: { "content-type": type },
        body,
      });
      expect(response.status).toBe(status);
      expect((await response.json()).code).toBe(code);
      expect((await (await alice("/api/tasks?limit=100")).json()).items.length).toBe(before);
    });

    it("accepts application/merge-patch+json for PATCH", async () => {
      const task = await (await post(alice, { title: "Merge" })).json();
      const response = await alice(`/api/tasks/${task.id}`, {
        method: "PATCH",
        headers: { "content-type": "application/merge-patch+json" },
        body: '{"status":"done"}',
      });
      expect(response.status).toBe(200);
      expect((await response.json()).status).toBe("done");
    });

    it("refuses a body over 64 KiB with 413, even when sent without Content-Length", async () => {
      const big = JSON.stringify({ title: "big", notes: "x".repeat(70_000) });
      const declared = await post(alice, JSON.parse(big));
      expect(declared.status).toBe(413);
      expect((await declared.json()).code).toBe("ERR_PAYLOAD_TOO_LARGE");
      const chunked = await alice("/api/tasks", {
        method: "POST",
        headers: JSON_HEADERS,
        body: new Blob([big]).stream(),
        duplex: "half",
      } as RequestInit);
      expect(chunked.status).toBe(413);
    });

    it("refuses invalid UTF-8 instead of storing replacement characters", async () => {
      const response = await alice("/api/tasks", {
        method: "POST",
        headers: JSON_HEADERS,
        body: new Uint8Array([...Buffer.from('{"title":"a'), 0xff, ...Buffer.from('"}')]),
      });
      expect(response.status).toBe(400);
      expect((await response.json()).code).toBe("ERR_BAD_REQUEST");
    });
  });

  describe("conditional requests", () => {
    it("applies a PATCH whose If-Match is current, and refuses a stale one with 412 and the current ETag", async () => {
      const task = await (await post(alice, { title: "Contested" })).json();
      const first = await patch(alice, task.id, { title: "Alice's edit" }, { "if-match": '"1"' });
      expect(first.status).toBe(200);
      expect(first.headers.get("etag")).toBe('"2"');

      const stale = await patch(bob, task.id, { title: "Bob's edit" }, { "if-match": '"1"' });
      expect(stale.status).toBe(412);
      expect(stale.headers.get("etag")).toBe('"2"');
      expect((await stale.json()).code).toBe("ERR_PRECONDITION_FAILED");
      expect((await (await alice(`/api/tasks/${task.id}`)).json()).title).toBe("Alice's edit");
    });

    it("accepts a list of ETags, and * for any version", async () => {
      const task = await (await post(alice, { title: "Listed" })).json();
      expect((await patch(alice, task.id, { notes: "a" }, { "if-match": '"7", "1"' })).status).toBe(
        200,
      );
      expect((await patch(alice, task.id, { notes: "b" }, { "if-match": "*" })).status).toBe(200);
    });

    it("never matches a weak or malformed ETag (strong comparison)", async () => {
      const task = await (await post(alice, { title: "Weak" })).json();
      for (const value of ['W/"1"', "1", "garbage"]) {
        const response = await patch(alice, task.id, { notes: "x" }, { "if-match": value });
        expect(response.status, value).toBe(412);
      }
      expect((await (await alice(`/api/tasks/${task.id}`)).json()).version).toBe(1);
    });

    it("refuses a stale DELETE with 412 and keeps the task", async () => {
      const task = await (await post(alice, { title: "Keep me" })).json();
      await patch(alice, task.id, { notes: "changed" });
      const stale = await alice(`/api/tasks/${task.id}`, {
        method: "DELETE",
        headers: { "if-match": '"1"' },
      });
      expect(stale.status).toBe(412);
      expect((await alice(`/api/tasks/${task.id}`)).status).toBe(200);
      const current = await alice(`/api/tasks/${task.id}`, {
        method: "DELETE",
        headers: { "if-match": '"2"' },
      });
      expect(current.status).toBe(204);
    });

    it("answers 404, not 412, for a missing task whatever If-Match says", async () => {
      const missing = "00000000-0000-4000-8000-000000000000";
      expect((await patch(alice, missing, { notes: "x" }, { "if-match": '"1"' })).status).toBe(404);
      expect((await patch(alice, missing, { notes: "x" }, { "if-match": 'W/"1"' })).status).toBe(
        404,
      );
    });

    it("answers 304 to If-None-Match with the current ETag, 200 after a change", async () => {
      const task = await (await post(alice, { title: "Cached" })).json();
      const unchanged = await alice(`/api/tasks/${task.id}`, {
        headers: { "if-none-match": '"1"' },
      });
      expect(unchanged.status).toBe(304);
      expect(unchanged.headers.get("etag")).toBe('"1"');
      await patch(alice, task.id, { notes: "new" });
      const changed = await alice(`/api/tasks/${task.id}`, { headers: { "if-none-match": '"1"' } });
      expect(changed.status).toBe(200);
    });

    it("lets exactly one of two concurrent If-Match writers win", async () => {
      const task = await (await post(alice, { title: "Race" })).json();
      const results = await Promise.all(
        ["a", "b", "c", "d"].map((notes) =>
          patch(alice, task.id, { notes }, { "if-match": '"1"' }),
        ),
      );
      expect(results.map((response) => response.status).sort()).toEqual([200, 412, 412, 412]);
      expect((await (await alice(`/api/tasks/${task.id}`)).json()).version).toBe(2);
    });
  });
});
