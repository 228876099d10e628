import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Client,
  JSON_HEADERS,
  type JsonResponse,
  startTestApi,
  type TestApi,
} from "../testing/api.js";
import { DATABASE_KINDS } from "../testing/db.js";
import { sign } from "../testing/issuer.js";

/** A 404 body without the per-request id, to compare two answers byte for byte. */
const notFoundBody = async (response: JsonResponse) => {
  expect(response.status).toBe(404);
  const { requestId: _, ...rest } = await response.json();
  return rest;
};

describe.each(DATABASE_KINDS)("tenant isolation of tasks on %s", (kind) => {
  let api: TestApi;
  let alice: Client;
  let mallory: Client;
  let task: { id: string; number: number; title: string; version: number };
  const never = "00000000-0000-4000-8000-000000000000";

  beforeAll(async () => {
    api = await startTestApi(kind);
    alice = await api.as("tenant_a", "alice");
    mallory = await api.as("tenant_b", "mallory");
    const response = await alice("/api/tasks", {
      method: "POST",
      headers: JSON_HEADERS,
      body: JSON.stringify({ title: "Alice's secret plan", notes: "tenant A only" }),
    });
    task = await response.json();
  });
  afterAll(() => api?.close());

  const unchanged = async () => {
    const response = await alice(`/api/tasks/${task.id}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      title: "Alice's secret plan",
      notes: "tenant A only",
      status: "open",
      version: task.version,
    });
  };

  it("cannot read another tenant's task: the same 404 as a task that never existed", async () => {
    const theirs = await notFoundBody(await mallory(`/api/tasks/${task.id}`));
    const nobodys = await notFoundBody(await mallory(`/api/tasks/${never}`));
    expect(theirs).toEqual(nobodys);
    expect(JSON.stringify(theirs)).not.toContain("secret");
  });

  it("does not see another tenant's tasks in a listing, with or without a filter", async () => {
    for (const query of ["", "?status=open", "?limit=100"]) {
      const page = await (await mallory(`/api/tasks${query}`)).json();
      expect(page.items).toEqual([]);
    }
  });

  it("cannot page into another tenant's tasks with a cursor taken from its listing", async () => {
    for (const title of ["a2", "a3"]) {
      await alice("/api/tasks", {
        method: "POST",
        headers: JSON_HEADERS,
        body: JSON.stringify({ title }),
      });
    }
    const page = await (await alice("/api/tasks?limit=1")).json();
    expect(page.nextCursor).not.toBeNull();
    const stolen = await mallory(`/api/tasks?cursor=${encodeURIComponent(page.nextCursor)}`);
    expect(stolen.status).toBe(200);
    expect((await stolen.json()).items).toEqual([]);
  });

  it("cannot update another tenant's task, with or without If-Match", async () => {
    const preconditions: Record<string, string>[] = [
      {},
      { "if-match": `"${task.version}"` },
      { "if-match": '"999"' },
      { "if-match": "*" },
    ];
    for (const headers of preconditions) {
      const response = await mallory(`/api/tasks/${task.id}`, {
        method: "PATCH",
        headers: { ...JSON_HEADERS, ...headers },
        body: JSON.stringify({ title: "pwned", status: "done" }),
      });
      // 404 every time: a 412 would confirm that the id exists.
      expect(await notFoundBody(response)).toEqual(
        await notFoundBody(await mallory(`/api/tasks/${never}`)),
      );
    }
    await unchanged();
  });

  it("cannot delete another tenant's task", async () => {
    const response = await mallory(`/api/tasks/${task.id}`, { method: "DELETE" });
    expect(response.status).toBe(404);
    await unchanged();
  });

  it("numbers each tenant's tasks on its own", async () => {
    const created = await (
      await mallory("/api/tasks", {
        method: "POST",
        headers: JSON_HEADERS,
        body: JSON.stringify({ title: "Mallory's first" }),
      })
    ).json();
    expect(created.number).toBe(1);
    expect(task.number).toBe(1);
    expect(
      (await (await mallory("/api/tasks")).json()).items.map((t: { title: string }) => t.title),
    ).toEqual(["Mallory's first"]);
  });

  it("refuses every tasks route without a token (401) and with a token naming no tenant (403)", async () => {
    const noTenant = await sign(api.key, { tenant_id: undefined });
    const routes: [string, string][] = [
      ["GET", "/api/tasks"],
      ["POST", "/api/tasks"],
      ["GET", `/api/tasks/${task.id}`],
      ["PATCH", `/api/tasks/${task.id}`],
      ["DELETE", `/api/tasks/${task.id}`],
    ];
    for (const [method, path] of routes) {
      const init =
        method === "POST" || method === "PATCH"
          ? { method, headers: JSON_HEADERS, body: JSON.stringify({ title: "x" }) }
          : { method };
      const anonymous = await api.anonymous(path, init);
      expect(anonymous.status, `${method} ${path}`).toBe(401);
      expect(anonymous.headers.get("www-authenticate")).toContain("Bearer");
      const tenantless = await fetch(new URL(path, api.url), {
        ...init,
        headers: { ...(init.headers ?? {}), authorization: `Bearer ${noTenant}` },
      });
      expect(tenantless.status, `${method} ${path}`).toBe(403);
    }
    await unchanged();
  });
  it("keeps tenant data out of shared caches: every answer holding tasks is private, no-cache, the 304 included", async () => {
    const created = await alice("/api/tasks", {
      method: "POST",
      headers: JSON_HEADERS,
      body: JSON.stringify({ title: "Cached nowhere" }),
    });
    const { id } = await created.json();
    const read = await alice(`/api/tasks/${id}`);
    const unchanged = await alice(`/api/tasks/${id}`, { headers: { "if-none-match": '"1"' } });
    const changed = await alice(`/api/tasks/${id}`, {
      method: "PATCH",
      headers: { ...JSON_HEADERS, "if-match": '"1"' },
      body: JSON.stringify({ status: "done" }),
    });
    const listed = await alice("/api/tasks?limit=1");
    const answers = { created, read, unchanged, changed, listed };
    expect(Object.values(answers).map((response) => response.status)).toEqual([
      201, 200, 304, 200, 200,
    ]);
    for (const [name, response] of Object.entries(answers)) {
      expect(response.headers.get("cache-control"), name).toBe("private, no-cache");
    }
    // Revalidation still works: the 304 names the version it confirms.
    expect(unchanged.headers.get("etag")).toBe('"1"');
    expect(await unchanged.text()).toBe("");
  });

  it("lets no error be stored: problem+json answers are no-store, 401, 403, 404, 412 and 422 included", async () => {
    const noTenant = await sign(api.key, { tenant_id: undefined });
    const problems = {
      401: await api.anonymous("/api/tasks"),
      403: await fetch(new URL("/api/tasks", api.url), {
        headers: { authorization: `Bearer ${noTenant}` },
      }),
      404: await mallory(`/api/tasks/${task.id}`),
      412: await alice(`/api/tasks/${task.id}`, {
        method: "PATCH",
        headers: { ...JSON_HEADERS, "if-match": '"999"' },
        body: JSON.stringify({ notes: "x" }),
      }),
      422: await alice("/api/tasks?limit=0"),
    };
    for (const [status, response] of Object.entries(problems)) {
      expect(response.status).toBe(Number(status));
      expect(response.headers.get("content-type"), status).toBe("application/problem+json");
      expect(response.headers.get("cache-control"), status).toBe("no-store");
    }
    await unchanged();
  });
});
