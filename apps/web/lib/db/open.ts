import type { DatabaseConfig } from "../config";
import { lockDataDir } from "./lock";
import { MIGRATION_LOCK_KEY, MIGRATIONS, migrationsFolder } from "./migrations";
import { makePrivateDir, tightenTree } from "./private";
import type { Db } from "./schema";

/** An open, migrated database. */
export interface Database {
  readonly db: Db;
  /** Closes every connection (PGlite: flushes and releases its lock). */
  close(): Promise<void>;
}

/**
 * Opens the configured database and applies pending migrations before resolving. Only the
 * driver in use is loaded: a PostgreSQL deployment never loads PGlite's WebAssembly.
 *
 * @example
 * ```ts
 * const { db } = await openDatabase(readConfig(process.env).database);
 * ```
 */
export function openDatabase(config: DatabaseConfig): Promise<Database> {
  return config.kind === "postgres" ? openPostgres(config.url) : openPglite(config.dataDir);
}

/**
 * PGlite's directory holds users, password hashes and sessions, so it is the owner's alone:
 * created 0700 (or closed to others first thing when it exists), and everything in it tightened
 * to owner-only once PGlite has started, since its initdb writes files 0666.
 */
async function openPglite(dataDir: string | null): Promise<Database> {
  const [{ PGlite }, { drizzle }, { migrate }] = await Promise.all([
    import("@electric-sql/pglite"),
    import("drizzle-orm/pglite"),
    import("drizzle-orm/pglite/migrator"),
  ]);
  let unlock = async () => {};
  if (dataDir !== null) {
    await makePrivateDir(dataDir);
    unlock = await lockDataDir(dataDir);
  }
  const client = new PGlite(dataDir ?? undefined);
  try {
    await client.waitReady;
    if (dataDir !== null) await tightenTree(dataDir);
    const db = drizzle(client);
    await migrate(db, { migrationsFolder: migrationsFolder(), ...MIGRATIONS });
    let closed: Promise<void> | undefined;
    return { db, close: () => (closed ??= client.close().finally(unlock)) };
  } catch (error) {
    if (!client.closed) await client.close().catch(() => {});
    await unlock();
    throw error;
  }
}

async function openPostgres(url: string): Promise<Database> {
  const [{ default: pg }, { drizzle }, { migrate }] = await Promise.all([
    import("pg"),
    import("drizzle-orm/node-postgres"),
    import("drizzle-orm/node-postgres/migrator"),
  ]);
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: "taskflow-web",
  });
  // A dropped idle connection emits `error` on the pool; unhandled, it would end the process.
  pool.on("error", (error) => console.warn(`database connection lost: ${error.message}`));
  const db = drizzle(pool);
  try {
    // One connection holds the advisory lock and runs the migrations on it.
    const client = await pool.connect();
    try {
      await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
      try {
        await migrate(drizzle(client), { migrationsFolder: migrationsFolder(), ...MIGRATIONS });
      } finally {
        await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
      }
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
  let ended: Promise<void> | undefined;
  return { db, close: () => (ended ??= pool.end()) };
}
