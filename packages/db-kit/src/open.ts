import type { DatabaseConfig, DatabaseKind } from "./config.js";
import type { Db, OpenOptions } from "./types.js";

/** An open, migrated database. */
export interface Database {
  readonly kind: DatabaseKind;
  /** The Drizzle handle the app builds its stores on. */
  readonly db: Db;
  /** Resolves when the database answers a trivial query (readiness checks). */
  ping(): Promise<void>;
  /**
   * Closes every connection; PGlite flushes, stops and gives its directory lock back (the lock
   * file is deleted). Calling it again is harmless.
   */
  close(): Promise<void>;
}

/**
 * Opens the configured database and applies the app's pending migrations before resolving, so
 * that an unreachable server, a locked directory or a failing migration stops the app at
 * start-up. Only the driver in use is loaded: a PostgreSQL deployment never loads PGlite's
 * WebAssembly.
 *
 * PGlite with a data directory: the directory is the owner's alone (0700, files 0600) and one
 * process holds it at a time (`<dataDir>.lock`). PostgreSQL: a pool, migrated under the app's
 * advisory lock.
 *
 * @throws {InvalidDatabaseConfigError} `ERR_INVALID_CONFIG` when the PGlite directory is in use.
 * @example
 * ```ts
 * const database = await openDatabase(readDatabaseConfig(process.env, { defaultDataDir: ".data/api" }), {
 *   migrations: { folder: MIGRATIONS_FOLDER, lockKey: "8386110886257651575" },
 *   logger,
 * });
 * const store = createTaskStore(database.db);
 * await database.close();
 * ```
 */
export async function openDatabase(
  config: DatabaseConfig,
  options: OpenOptions,
): Promise<Database> {
  const connection =
    config.kind === "postgres"
      ? await (await import("./lib/postgres.js")).openPostgres(config.url, options)
      : await (await import("./lib/pglite.js")).openPglite(config.dataDir, options);
  // Never the URL: it may hold a password.
  options.logger?.info(
    { database: config.kind, ...(config.kind === "pglite" ? { dataDir: config.dataDir } : {}) },
    "database ready",
  );
  return {
    kind: config.kind,
    db: connection.db,
    ping: () => connection.ping(),
    close: () => connection.close(),
  };
}
