/**
 * The types the entry (`open.ts`) and the drivers (`lib/pglite.ts`, `lib/postgres.ts`) share,
 * in a leaf module so that neither imports the other.
 */
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type { DatabaseKind } from "./config.js";

/**
 * A Drizzle handle, whichever driver (PGlite or node-postgres) is behind it. Typed without a
 * relational schema: each app's stores bring their own tables.
 */
export type Db = PgDatabase<PgQueryResultHKT>;

/** An app's Drizzle migrations, applied by {@link openDatabase} before it resolves. */
export interface Migrations {
  /** The folder drizzle-kit generated (`meta/_journal.json` and the SQL files). */
  readonly folder: string;
  /**
   * The PostgreSQL advisory lock held while migrating: a 64-bit integer, in decimal. Drizzle's
   * migrator reads which migrations ran before it opens its transaction, so two processes
   * starting together would both apply the same migration; the lock makes the second one wait,
   * then find nothing left to do. Give each app its own key.
   */
  readonly lockKey: string;
  /**
   * Drizzle's journal of applied migrations. Two apps sharing one database need one each, or
   * each would skip the other's migrations.
   * @default "__drizzle_migrations"
   */
  readonly table?: string;
  /**
   * The schema of that journal.
   * @default "drizzle"
   */
  readonly schema?: string;
}

/** Where the kit reports; a pino logger fits. */
export interface DatabaseLogger {
  info(fields: { database: DatabaseKind; dataDir?: string | null }, message: string): void;
  warn(fields: { err: Error }, message: string): void;
}

/** Options for {@link openDatabase}. */
export interface OpenOptions {
  readonly migrations: Migrations;
  /** Reports "database ready" and dropped PostgreSQL connections. */
  readonly logger?: DatabaseLogger;
  /**
   * The most connections the PostgreSQL pool opens (ignored by PGlite).
   * @default 10
   */
  readonly maxConnections?: number;
  /** PostgreSQL's `application_name`, shown in `pg_stat_activity` so a DBA can tell whose. */
  readonly applicationName?: string;
}

/** What each driver hands back. */
export interface Connection {
  readonly db: Db;
  ping(): Promise<void>;
  close(): Promise<void>;
}
