import { access, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appliedMigrations, MIGRATION_COUNT, MIGRATIONS } from "./fixtures/index.js";
import { type Database, type DatabaseLogger, openDatabase } from "./index.js";
import { createPostgresDatabase } from "./testing/index.js";

/** The rows of `notes`, as both drivers answer them. */
async function notes(database: Database): Promise<string[]> {
  const { rows } = (await database.db.execute(
    sql`select body from notes order by id`,
  )) as unknown as {
    rows: { body: string }[];
  };
  return rows.map((row) => row.body);
}

describe.each(["pglite", "postgres"] as const)("openDatabase on %s", (kind) => {
  let database: Database;
  let drop = async () => {};
  beforeAll(async () => {
    if (kind === "pglite") {
      database = await openDatabase({ kind, dataDir: null }, { migrations: MIGRATIONS });
      return;
    }
    const empty = await createPostgresDatabase();
    drop = empty.drop;
    database = await openDatabase({ kind, url: empty.url }, { migrations: MIGRATIONS });
  }, 60_000);
  afterAll(async () => {
    await database?.close();
    await drop();
  });

  it("applies every migration of the app's folder before resolving", async () => {
    expect(database.kind).toBe(kind);
    expect(await appliedMigrations(database)).toBe(MIGRATION_COUNT);
    await database.db.execute(sql`insert into notes (body, pinned) values ('hello', true)`);
    expect(await notes(database)).toEqual(["hello"]);
  });

  it("answers ping", async () => {
    await expect(database.ping()).resolves.toBeUndefined();
  });
});

describe("PGlite with a data directory", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "db-kit-pglite-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("creates the directory, keeps the data across a restart and migrates only once", async () => {
    const dataDir = join(dir, "nested", "pglite");
    const first = await openDatabase({ kind: "pglite", dataDir }, { migrations: MIGRATIONS });
    await first.db.execute(sql`insert into notes (body) values ('survives a restart')`);
    await first.close();
    await first.close();

    const second = await openDatabase({ kind: "pglite", dataDir }, { migrations: MIGRATIONS });
    try {
      expect(await notes(second)).toEqual(["survives a restart"]);
      expect(await appliedMigrations(second)).toBe(MIGRATION_COUNT);
    } finally {
      await second.close();
    }
  });

  it("refuses a second open of the directory in the same process, and the first stays usable", async () => {
    const dataDir = join(dir, "twice", "pglite");
    const first = await openDatabase({ kind: "pglite", dataDir }, { migrations: MIGRATIONS });
    try {
      // Two PGlite instances on one directory would corrupt it.
      const refused = await openDatabase(
        { kind: "pglite", dataDir },
        { migrations: MIGRATIONS },
      ).catch((error: unknown) => error);
      expect(refused).toMatchObject({ code: "ERR_INVALID_CONFIG" });
      expect((refused as Error).message).toContain(`in use by process ${process.pid}`);
      await expect(first.ping()).resolves.toBeUndefined();
      expect(await readFile(`${dataDir}.lock`, "utf8")).toBe(`${process.pid}\n`);
    } finally {
      await first.close();
    }
  });

  it("deletes its lock file when closed cleanly", async () => {
    const dataDir = join(dir, "closed", "pglite");
    const database = await openDatabase({ kind: "pglite", dataDir }, { migrations: MIGRATIONS });
    await access(`${dataDir}.lock`);
    await database.close();
    await expect(access(`${dataDir}.lock`)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("keeps the journal in the table the app names", async () => {
    const migrations = { ...MIGRATIONS, table: "__web_migrations" };
    const database = await openDatabase({ kind: "pglite", dataDir: null }, { migrations });
    try {
      expect(await appliedMigrations(database, "__web_migrations")).toBe(MIGRATION_COUNT);
    } finally {
      await database.close();
    }
  });
});

describe("PostgreSQL", () => {
  it("lets several processes starting at once migrate one database exactly once", async () => {
    const empty = await createPostgresDatabase();
    try {
      const options = { migrations: MIGRATIONS, maxConnections: 2 };
      const opened = await Promise.all(
        [1, 2, 3].map(() => openDatabase({ kind: "postgres", url: empty.url }, options)),
      );
      try {
        for (const database of opened) {
          expect(await appliedMigrations(database)).toBe(MIGRATION_COUNT);
        }
      } finally {
        await Promise.all(opened.map((database) => database.close()));
      }
    } finally {
      await empty.drop();
    }
  });

  it("waits for the advisory lock another process holds before migrating", async () => {
    const empty = await createPostgresDatabase();
    const holder = new pg.Client({ connectionString: empty.url });
    await holder.connect();
    try {
      await holder.query("select pg_advisory_lock($1)", [MIGRATIONS.lockKey]);
      let opened: Database | undefined;
      const opening = openDatabase(
        { kind: "postgres", url: empty.url },
        { migrations: MIGRATIONS },
      );
      void opening.then(
        (database) => (opened = database),
        () => {},
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(opened).toBeUndefined();
      const { rows } = await holder.query("select to_regclass('public.notes') as t");
      expect(rows[0].t).toBeNull(); // nothing migrated while the lock is held
      await holder.query("select pg_advisory_unlock($1)", [MIGRATIONS.lockKey]);
      const database = await opening;
      expect(await appliedMigrations(database)).toBe(MIGRATION_COUNT);
      await database.close();
    } finally {
      await holder.end();
      await empty.drop();
    }
  });

  it("never logs the connection URL, which may hold a password", async () => {
    const empty = await createPostgresDatabase();
    const records: unknown[] = [];
    const logger: DatabaseLogger = {
      info: (fields, message) => records.push({ ...fields, message }),
      warn: (fields, message) => records.push({ ...fields, message }),
    };
    try {
      const database = await openDatabase(
        { kind: "postgres", url: empty.url },
        { migrations: MIGRATIONS, logger },
      );
      await database.close();
      // A whitelist, not a search for the password: the test server's may be any word.
      expect(records).toEqual([{ database: "postgres", message: "database ready" }]);
    } finally {
      await empty.drop();
    }
  });

  it("fails to open when the server cannot be reached", async () => {
    // Port 1 (tcpmux) is closed on any machine that runs these tests.
    await expect(
      openDatabase(
        { kind: "postgres", url: "postgres://taskflow@127.0.0.1:1/taskflow" },
        { migrations: MIGRATIONS },
      ),
    ).rejects.toThrow(/ECONNREFUSED/);
  });
});
