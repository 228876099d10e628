import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "./database.js";
import { MIGRATIONS_FOLDER } from "./db/index.js";
import { createLogger } from "./log.js";
import { createPostgresDatabase, DATABASE_KINDS, useTestDatabase } from "./testing/db.js";
import { captureLogs } from "./testing/logs.js";

const scope = { tenantId: "acme", userId: "alice" };

/** How many migrations the journal lists. */
async function journalLength(): Promise<number> {
  const journal = JSON.parse(await readFile(join(MIGRATIONS_FOLDER, "meta/_journal.json"), "utf8"));
  return journal.entries.length;
}

/** How many migrations the database has recorded as applied. */
async function appliedMigrations(database: Database): Promise<number> {
  // Both drivers answer `{ rows }`; the common Drizzle type does not say so.
  const { rows } = (await database.db.execute(
    sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
  )) as { rows: { n: number }[] };
  return rows[0]!.n;
}

describe.each(DATABASE_KINDS)("openDatabase on %s", (kind) => {
  const database = useTestDatabase(kind);

  it("applies every migration before resolving", async () => {
    expect(database().kind).toBe(kind);
    expect(await appliedMigrations(database())).toBe(await journalLength());
    expect((await database().store.list(scope)).items).toEqual([]);
  });

  it("answers ping", async () => {
    await expect(database().ping()).resolves.toBeUndefined();
  });
});

describe("PGlite with a data directory", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "taskflow-pglite-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("creates the directory, keeps the data across a restart and migrates only once", async () => {
    const dataDir = join(dir, "nested", "pglite");
    const first = await openDatabase({ kind: "pglite", dataDir });
    const task = await first.store.create(scope, { title: "Survives a restart" });
    // Two PGlite instances on one directory would corrupt it: the second is refused.
    const refused = await openDatabase({ kind: "pglite", dataDir }).catch(
      (error: unknown) => error,
    );
    expect(refused).toMatchObject({ code: "ERR_INVALID_CONFIG" });
    await first.close();
    await first.close();

    const second = await openDatabase({ kind: "pglite", dataDir });
    try {
      expect(await second.store.get(scope, task.id)).toEqual(task);
      expect(await appliedMigrations(second)).toBe(await journalLength());
      expect((await second.store.create(scope, { title: "next" })).number).toBe(2);
    } finally {
      await second.close();
    }
  }, 30_000);
});

describe("PostgreSQL", () => {
  it("lets two processes starting at once migrate one database exactly once", async () => {
    const empty = await createPostgresDatabase();
    try {
      const opened = await Promise.all(
        [1, 2, 3].map(() =>
          openDatabase({ kind: "postgres", url: empty.url }, { maxConnections: 2 }),
        ),
      );
      try {
        expect(await appliedMigrations(opened[0]!)).toBe(await journalLength());
        const created = await Promise.all(
          opened.map((db) => db.store.create(scope, { title: "t" })),
        );
        expect(created.map((task) => task.number).sort()).toEqual([1, 2, 3]);
      } finally {
        await Promise.all(opened.map((db) => db.close()));
      }
      // Opening again finds nothing to do.
      const again = await openDatabase({ kind: "postgres", url: empty.url });
      expect(await appliedMigrations(again)).toBe(await journalLength());
      await again.close();
    } finally {
      await empty.drop();
    }
  }, 30_000);

  it("never logs the connection URL, which may hold a password", async () => {
    const empty = await createPostgresDatabase();
    const logs = captureLogs();
    try {
      const database = await openDatabase(
        { kind: "postgres", url: empty.url },
        { logger: createLogger({ destination: logs.destination }) },
      );
      await database.close();
      // A whitelist, not a search for the password: the test server's may be any word.
      expect(logs.records()).toEqual([
        {
          level: 30,
          time: expect.any(Number),
          service: "taskflow-api",
          database: "postgres",
          msg: "database ready",
        },
      ]);
    } finally {
      await empty.drop();
    }
  });

  it("fails to open when the server cannot be reached", async () => {
    // Port 1 (tcpmux) is closed on any machine that runs these tests.
    await expect(
      openDatabase({ kind: "postgres", url: "postgres://taskflow@127.0.0.1:1/taskflow" }),
    ).rejects.toThrow(/ECONNREFUSED/);
  });
});
