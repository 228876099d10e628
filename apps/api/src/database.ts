/**
 * The API's storage, wired: the database the kit opens (PGlite or PostgreSQL, with the API's
 * migrations) and the stores built on it. Part of the composition root: `main.ts` opens it, and
 * the tests open it the same way (main.ts itself starts a server on import). The database
 * layer (`@handoff/db-kit`, `db/`) knows no store.
 */
import { type Database as Connection, openDatabase as openConnection } from "@handoff/db-kit";
import type { Logger } from "pino";
import type { DatabaseConfig } from "./db/config.js";
import { MIGRATIONS } from "./db/migrations.js";
import { createTaskChangeLog, type TaskChangeLog } from "./tasks/live/changes.js";
import { type ChangeSource, listenPglite, listenPostgres } from "./tasks/live/listen.js";
import type { TaskStore } from "./tasks/model.js";
import { createTaskStore } from "./tasks/store.js";

/** Options for {@link openDatabase}. */
export interface OpenOptions {
  /** Where "database ready" and connection problems are reported. */
  logger?: Pick<Logger, "info" | "warn">;
  /**
   * The most connections the PostgreSQL pool opens (ignored by PGlite).
   * @default 10
   */
  maxConnections?: number;
}

/** An open, migrated database and the stores on it. */
export interface Database extends Connection {
  /** The tasks, scoped by tenant; every change is recorded for the live feed. */
  readonly store: TaskStore;
  /** The recent task changes, which event streams catch up from. */
  readonly changeLog: TaskChangeLog;
  /**
   * A new listener for every instance's task changes: on PostgreSQL a connection of its own
   * (outside the pool), on PGlite the database's own `listen`. One per instance.
   */
  listen(): ChangeSource;
}

/**
 * Opens the configured database, applies the API's pending migrations before resolving, and
 * builds the task store and the change log on it.
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
  const connection = await openConnection(config, {
    migrations: MIGRATIONS,
    applicationName: "taskflow-api",
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
  });
  const logger = options.logger;
  return {
    ...connection,
    store: createTaskStore(connection.db),
    changeLog: createTaskChangeLog(connection.db),
    listen: () =>
      config.kind === "postgres"
        ? listenPostgres(config.url, { logger, applicationName: "taskflow-api-listen" })
        : listenPglite(connection.db),
  };
}
