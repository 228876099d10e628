import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import type { Connection, Migrations, OpenOptions } from "../types.js";
import { migratorConfig } from "./migrator-config.js";

/**
 * Opens a connection pool to a PostgreSQL server and applies the migrations under the app's
 * advisory lock, so it fails here, at start-up, when the server cannot be reached.
 */
export async function openPostgres(url: string, options: OpenOptions): Promise<Connection> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    // Give up after 5 s without a connection (server unreachable, pool exhausted) rather than
    // leave a request waiting forever.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    ...(options.applicationName === undefined ? {} : { application_name: options.applicationName }),
  });
  // An idle connection that the server drops (restart, failover) emits `error` on the pool;
  // unhandled, that would crash the process. The pool replaces the connection on next use.
  pool.on("error", (error) => options.logger?.warn({ err: error }, "database connection lost"));
  try {
    await migrateLocked(pool, options.migrations);
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

/**
 * Applies the migrations on one connection of `pool` while it holds the advisory lock
 * `migrations.lockKey`; exported for its tests.
 */
export async function migrateLocked(pool: pg.Pool, migrations: Migrations): Promise<void> {
  const client = await pool.connect();
  let failure: Error | undefined;
  try {
    await client.query("select pg_advisory_lock($1)", [migrations.lockKey]);
    try {
      await migrate(drizzle(client), migratorConfig(migrations));
    } finally {
      await client.query("select pg_advisory_unlock($1)", [migrations.lockKey]);
    }
  } catch (error) {
    failure = error as Error;
    throw error;
  } finally {
    // A connection that failed mid-way may still hold the lock or sit in a broken transaction:
    // released with the error, pg destroys it rather than hand it to the next caller, and the
    // server frees its locks with the session.
    client.release(failure);
  }
}
