import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import { MIGRATION_LOCK_KEY, MIGRATIONS_FOLDER } from "./migrations.js";
import type { Connection, OpenOptions } from "./open.js";

/**
 * Opens a connection pool to a PostgreSQL server and applies the migrations under an advisory
 * lock, so it fails here, at start-up, when the server cannot be reached.
 */
export async function openPostgres(url: string, options: OpenOptions): Promise<Connection> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    // Give up after 5 s without a connection (server unreachable, pool exhausted) rather than
    // leave a request waiting forever.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // Shown in pg_stat_activity, so a DBA can tell whose connections these are.
    application_name: "taskflow-api",
  });
  // An idle connection that the server drops (restart, failover) emits `error` on the pool;
  // unhandled, that would crash the process. The pool replaces the connection on next use.
  pool.on("error", (error) => options.logger?.warn({ err: error }, "database connection lost"));
  try {
    await migrateLocked(pool);
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
  const db = drizzle(pool);
  let ended: Promise<void> | undefined;
  return {
    db,
    async ping() {
      await db.execute(sql`select 1`);
    },
    close() {
      ended ??= pool.end();
      return ended;
    },
  };
}

async function migrateLocked(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  let failure: Error | undefined;
  try {
    await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    try {
      await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER });
    } finally {
      await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
    }
  } catch (error) {
    failure = error as Error;
    throw error;
  } finally {
    // A connection that failed mid-way is destroyed, not reused: that also frees the lock.
    client.release(failure);
  }
}
