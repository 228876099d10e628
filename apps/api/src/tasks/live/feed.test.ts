import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCluster, type TestCluster } from "../../testing/cluster.js";
import { DATABASE_KINDS } from "../../testing/db.js";
import { type EventSourceMessage, readSse } from "../../testing/sse.js";

/** Reads one stream event by event, failing when the next one takes longer than `ms`. */
function follow(response: Response) {
  const events = readSse(response)[Symbol.asyncIterator]();
  return {
    async next(ms = 1_000): Promise<EventSourceMessage> {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no event within ${ms} ms`)), ms);
      });
      try {
        const { value, done } = await Promise.race([events.next(), timeout]);
        if (done) throw new Error("the stream ended");
        return value;
      } finally {
        clearTimeout(timer);
      }
    },
    /** Whether the stream ends (after any events still to come) within `ms`. */
    async ended(ms = 1_000): Promise<EventSourceMessage[]> {
      const rest: EventSourceMessage[] = [];
      const deadline = Date.now() + ms;
      for (;;) {
        const left = deadline - Date.now();
        const timeout = new Promise<"late">((resolve) => setTimeout(() => resolve("late"), left));
        const step = await Promise.race([events.next(), timeout]);
        if (step === "late") throw new Error("the stream did not end");
        if (step.done) return rest;
        rest.push(step.value);
      }
    },
    close: () => events.return?.(undefined),
  };
}

// biome-ignore lint/suspicious/noExplicitAny: test assertions walk arbitrary JSON.
type Json = any;
const data = (event: EventSourceMessage): Json => JSON.parse(event.data);

describe.each(DATABASE_KINDS)("GET /api/tasks/events across two API instances (%s)", (kind) => {
  let cluster: TestCluster;
  const instance = (i: 0 | 1) => cluster.instances[i]!;
  const rest = async (i: 0 | 1, token: string, path: string, method: string, body?: unknown) =>
    fetch(new URL(path, instance(i).url), {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  beforeAll(async () => {
    cluster = await startTestCluster(kind);
  }, 60_000);
  afterAll(() => cluster?.close());

  it("answers an event stream that cannot be cached, transformed or buffered", async () => {
    const response = await instance(0).events(await cluster.token("tenant_headers"));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-cache, no-transform");
    expect(response.headers.get("x-accel-buffering")).toBe("no");
    const stream = follow(response);
    expect(await stream.next()).toMatchObject({ event: "ready", id: "0" });
    await stream.close();
  });

  it("refuses a caller without a token with 401", async () => {
    const response = await fetch(new URL("/api/tasks/events", instance(0).url));
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: "ERR_TOKEN_MISSING" });
  });

  it("delivers a change made on instance A to a subscriber on instance B within a second", async () => {
    const token = await cluster.token("tenant_fanout");
    const stream = follow(await instance(1).events(token));
    expect((await stream.next()).event).toBe("ready");
    const started = performance.now();
    const created: Json = await (await rest(0, token, "/api/tasks", "POST", { title: "x" })).json();
    const event = await stream.next(1_000);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(event).toMatchObject({ event: "task.created", id: "1" });
    expect(data(event)).toEqual({ id: created.id, etag: '"1"' });

    await rest(0, token, `/api/tasks/${created.id}`, "PATCH", { status: "done" });
    expect(await stream.next()).toMatchObject({ event: "task.updated", id: "2" });
    await stream.close();
  });

  it("sends a tenant's subscriber nothing of another tenant's changes", async () => {
    const [ours, theirs] = [await cluster.token("tenant_one"), await cluster.token("tenant_two")];
    const stream = follow(await instance(1).events(ours));
    expect((await stream.next()).event).toBe("ready");
    await rest(0, theirs, "/api/tasks", "POST", { title: "not yours" });
    await rest(0, theirs, "/api/tasks", "POST", { title: "not yours either" });
    const mine: Json = await (await rest(0, ours, "/api/tasks", "POST", { title: "mine" })).json();
    // Streams are in order: had the other tenant's changes been sent, they would come first.
    const event = await stream.next();
    expect(event).toMatchObject({ event: "task.created", id: "1" });
    expect(data(event).id).toBe(mine.id);
    await stream.close();
  });

  it("publishes changes made through REST, the agent and MCP alike", async () => {
    const tenant = "tenant_paths";
    const token = await cluster.token(tenant);
    const stream = follow(await instance(1).events(token));
    expect((await stream.next()).event).toBe("ready");

    await rest(0, token, "/api/tasks", "POST", { title: "by rest" });
    expect((await stream.next()).event).toBe("task.created");

    const chat = await instance(0).chat(token, { message: "add by the agent" });
    await chat.text();
    const byAgent = await stream.next();
    expect(byAgent.event).toBe("task.created");

    const mcp = await fetch(new URL("/mcp", instance(0).url), {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-protocol-version": "2025-06-18",
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "add_task", arguments: { title: "by mcp" } },
      }),
    });
    expect(mcp.status).toBe(200);
    expect(await stream.next()).toMatchObject({ event: "task.created", id: "3" });

    const scope = { tenantId: tenant, userId: "u" };
    await cluster.db.store.delete(scope, data(byAgent).id);
    expect(await stream.next()).toMatchObject({ event: "task.deleted", id: "4" });
    await stream.close();
  });

  it("resumes after Last-Event-ID on another instance with exactly the changes missed", async () => {
    const token = await cluster.token("tenant_resume");
    const first = follow(await instance(0).events(token));
    expect((await first.next()).event).toBe("ready");
    await rest(0, token, "/api/tasks", "POST", { title: "seen" });
    const seen = await first.next();
    await first.close();
    for (const title of ["missed 1", "missed 2"]) {
      await rest(0, token, "/api/tasks", "POST", { title });
    }
    const again = follow(await instance(1).events(token, seen.id));
    expect((await again.next()).id).toBe("2");
    expect((await again.next()).id).toBe("3");
    expect(await again.next()).toMatchObject({ event: "ready", id: "3" });
    await rest(1, token, "/api/tasks", "POST", { title: "live" });
    expect(await again.next()).toMatchObject({ event: "task.created", id: "4" });
    await again.close();
  });

  it("sends resync, with the latest id, when the changes after Last-Event-ID are no longer kept", async () => {
    const tenant = "tenant_gap";
    const token = await cluster.token(tenant);
    for (const title of ["a", "b", "c"]) await rest(0, token, "/api/tasks", "POST", { title });
    // As pruning does, once a tenant has made more changes than the log keeps.
    await cluster.db.db.execute(
      sql`delete from task_changes where tenant_id = ${tenant} and seq <= 2`,
    );
    const stream = follow(await instance(1).events(token, "1"));
    const resync = await stream.next();
    expect(resync).toMatchObject({ event: "resync", id: "3" });
    expect(data(resync)).toEqual({ reason: "gap" });
    expect(await stream.next()).toMatchObject({ event: "ready", id: "3" });
    await stream.close();
  });

  it.each([
    ["from the future (another database's)", "99"],
    ["that is not a sequence number", "abc"],
  ])("sends resync for a Last-Event-ID %s", async (_, lastEventId) => {
    const token = await cluster.token(`tenant_cursor_${lastEventId}`);
    await rest(0, token, "/api/tasks", "POST", { title: "a" });
    const stream = follow(await instance(0).events(token, lastEventId));
    expect(await stream.next()).toMatchObject({ event: "resync", id: "1" });
    await stream.close();
  });

  it("ends every stream when the instance drains, and the client resumes on the other", async () => {
    const token = await cluster.token("tenant_drain");
    const stream = follow(await instance(0).events(token));
    expect((await stream.next()).event).toBe("ready");
    await cluster.drain(0);
    expect(await stream.ended()).toEqual([]);
    const refused = await instance(0).events(token);
    expect(refused.status).toBe(503);
    const resumed = follow(await instance(1).events(token, "0"));
    expect((await resumed.next()).event).toBe("ready");
    await resumed.close();
  });
});
