import { rm } from "node:fs/promises";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { failingMigrations, MIGRATIONS } from "../fixtures/index.js";
import { createPostgresDatabase, type EmptyPostgresDatabase } from "../testing/index.js";
import { migrateLocked } from "./postgres.js";

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A new database and a pool of one connection on it, both gone after the test. */
async function poolOfOne(): Promise<{ empty: EmptyPostgresDatabase; pool: pg.Pool }> {
  const empty = await createPostgresDatabase();
  cleanup.push(() => empty.drop());
  const pool = new pg.Pool({ connectionString: empty.url, max: 1 });
  cleanup.push(() => pool.end());
  return { empty, pool };
}

/** The server process behind the pool's next connection. */
async function backendPid(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query("select pg_backend_pid() as pid");
  return rows[0].pid;
}

describe("migrations under the advisory lock", () => {
  it("returns the connection to the pool after a migration that succeeded", async () => {
    const { pool } = await poolOfOne();
    const before = await backendPid(pool);
    await migrateLocked(pool, MIGRATIONS);
    expect(await backendPid(pool)).toBe(before);
  });

  it("destroys a connection whose migration failed rather than hand it to the next caller", async () => {
    const { pool } = await poolOfOne();
    const failing = await failingMigrations();
    cleanup.push(() => rm(failing.dir, { recursive: true, force: true }));
    const before = await backendPid(pool); // the pool's only connection, now idle in it

    await expect(migrateLocked(pool, failing.migrations)).rejects.toThrow(/SELECT 1 \/ 0/);

    expect(await backendPid(pool)).not.toBe(before);
  });

  it("leaves the lock free and nothing half-applied after a failed migration", async () => {
    const { empty, pool } = await poolOfOne();
    const failing = await failingMigrations();
    cleanup.push(() => rm(failing.dir, { recursive: true, force: true }));
    await expect(migrateLocked(pool, failing.migrations)).rejects.toThrow();

    const other = new pg.Client({ connectionString: empty.url });
    await other.connect();
    cleanup.push(() => other.end());
    const locked = await other.query("select pg_try_advisory_lock($1) as ok", [MIGRATIONS.lockKey]);
    expect(locked.rows[0].ok).toBe(true);
    // Drizzle applies the pending migrations in one transaction: the failure rolled it all back.
    const tables = await other.query(
      "select to_regclass('public.notes') as notes, to_regclass('public.half') as half",
    );
    expect(tables.rows[0]).toEqual({ notes: null, half: null });
  });
});
