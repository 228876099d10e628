import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../database.js";
import { DATABASE_KINDS, openTestDatabase } from "../../testing/db.js";
import { readSse } from "../../testing/sse.js";
import { createTaskFeed } from "./feed.js";

const scope = (tenantId: string, userId = "u") => ({ tenantId, userId });

/** Reads until `count` events arrived or the stream ended. */
async function take(stream: ReadableStream<Uint8Array>, count: number) {
  const events = [];
  for await (const event of readSse(stream)) {
    events.push(event);
    if (events.length === count) break;
  }
  return events;
}

describe.each(DATABASE_KINDS)("the task feed's bounds (%s)", (kind) => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
  }, 60_000);
  afterAll(() => db?.close());

  it("sends a reader that falls behind resync and ends its stream instead of buffering", async () => {
    const feed = createTaskFeed({ source: db.listen(), log: db.changeLog, maxQueued: 4 });
    await feed.start();
    const body = feed.open(scope("tenant_slow"));
    // Nobody reads: every event stays queued in the stream.
    for (let i = 0; i < 12; i++) await db.store.create(scope("tenant_slow"), { title: `t${i}` });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const events = await take(body, 100);
    expect(events.length).toBeLessThanOrEqual(7);
    // The stream ended (fewer than asked for), on a resync naming the latest change then.
    expect(events.at(-1)).toMatchObject({ event: "resync" });
    expect(Number(events.at(-1)!.id)).toBeGreaterThanOrEqual(Number(events.at(-2)!.id));
    expect(JSON.parse(events.at(-1)!.data)).toEqual({ reason: "slow" });
    await feed.close();
  });

  it("refuses a user's streams past the limit with ERR_TOO_MANY_STREAMS, and frees a closed one's place", async () => {
    const feed = createTaskFeed({ source: db.listen(), log: db.changeLog, maxPerUser: 2 });
    await feed.start();
    const first = feed.open(scope("tenant_limit", "ada"));
    feed.open(scope("tenant_limit", "ada"));
    expect(() => feed.open(scope("tenant_limit", "ada"))).toThrow(
      expect.objectContaining({ code: "ERR_TOO_MANY_STREAMS", status: 429 }),
    );
    feed.open(scope("tenant_limit", "bob"));
    await first.cancel();
    expect(() => feed.open(scope("tenant_limit", "ada"))).not.toThrow();
    await feed.close();
  });

  it("refuses a tenant's streams past the tenant limit", async () => {
    const feed = createTaskFeed({ source: db.listen(), log: db.changeLog, maxPerTenant: 2 });
    await feed.start();
    feed.open(scope("tenant_full", "a"));
    feed.open(scope("tenant_full", "b"));
    expect(() => feed.open(scope("tenant_full", "c"))).toThrow(
      expect.objectContaining({ code: "ERR_TOO_MANY_STREAMS" }),
    );
    expect(() => feed.open(scope("tenant_other", "c"))).not.toThrow();
    await feed.close();
  });

  it("keeps at most the configured number of changes per tenant", async () => {
    const { createTaskStore } = await import("../store.js");
    const store = createTaskStore(db.db, { changeLogSize: 3 });
    for (let i = 0; i < 6; i++) await store.create(scope("tenant_pruned"), { title: `t${i}` });
    expect(await db.changeLog.since("tenant_pruned", 0)).toBeUndefined();
    expect((await db.changeLog.since("tenant_pruned", 3))?.map((c) => c.seq)).toEqual([4, 5, 6]);
    expect(await db.changeLog.latest("tenant_pruned")).toBe(6);
  });
});

describe("the PostgreSQL listener", () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase("postgres");
  }, 60_000);
  afterAll(() => db?.close());

  it("reconnects after losing its connection and delivers what was committed meanwhile", async () => {
    const feed = createTaskFeed({ source: db.listen(), log: db.changeLog });
    await feed.start();
    const events = readSse(feed.open(scope("tenant_reconnect")))[Symbol.asyncIterator]();
    expect((await events.next()).value).toMatchObject({ event: "ready" });
    await db.db.execute(
      sql`select pg_terminate_backend(pid) from pg_stat_activity
          where application_name = 'taskflow-api-listen' and datname = current_database()`,
    );
    await db.store.create(scope("tenant_reconnect"), { title: "while away" });
    const next = await Promise.race([
      events.next(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("late")), 5_000)),
    ]);
    expect(next.value).toMatchObject({ event: "task.created", id: "1" });
    await events.return?.(undefined);
    await feed.close();
  });
});
