import type { Logger } from "pino";
import type { TaskStore } from "../tasks/model.js";
import { createTaskStore } from "../tasks/store.js";
import type { DatabaseConfig } from "./config.js";
import type { Db } from "./schema.js";

/** Options for {@link openDatabase}. */
export interface OpenOptions {
  /** Where connection problems are reported. */
  logger?: Pick<Logger, "info" | "warn">;
  /**
   * The most connections the PostgreSQL pool opens (ignored by PGlite).
   * @default 10
   */
  maxConnections?: number;
}

/** An open, migrated database. */
export interface Database {
  readonly kind: DatabaseConfig["kind"];
  /** The tasks, scoped by tenant. */
  readonly store: TaskStore;
  /** The Drizzle handle, for stores that later features add next to the tasks. */
  readonly db: Db;
  /** Resolves when the database answers a trivial query (readiness checks). */
  ping(): Promise<void>;
  /** Closes every connection (PGlite: flushes and stops it). Calling it again is harmless. */
  close(): Promise<void>;
}

/** What each driver module hands back. */
export interface Connection {
  readonly db: Db;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the configured database and applies pending migrations before resolving. Only the
 * driver in use is loaded: a PostgreSQL deployment never loads PGlite's WebAssembly.
 *
 * @example
 * ```ts
 * const database = await openDatabase(readDatabaseConfig(process.env), { logger });
 * const task = await database.store.create(scope, { title: "Buy milk" });
 * await database.close();
 * ```
 */
export async function openDatabase(
  config: DatabaseConfig,
  options: OpenOptions = {},
): Promise<Database> {
  const connection =
    config.kind === "postgres"
      ? await (await import("./postgres.js")).openPostgres(config.url, options)
      : await (await import("./pglite.js")).openPglite(config.dataDir);
  options.logger?.info(
    { database: config.kind, ...(config.kind === "pglite" ? { dataDir: config.dataDir } : {}) },
    "database ready",
  );
  return {
    kind: config.kind,
    store: createTaskStore(connection.db),
    db: connection.db,
    ping: () => connection.ping(),
    close: () => connection.close(),
  };
}
