/**
 * Test fixture: fresh, migrated, empty databases of either kind, so that every storage test
 * runs against both PGlite and a real PostgreSQL. Not imported by application code.
 *
 * @example
 * ```ts
 * describe.each(DATABASE_KINDS)("%s", (kind) => {
 *   const database = useTestDatabase(kind);
 *   it("stores", async () => { await database().store.create(scope, { title: "x" }); });
 * });
 * ```
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, inject } from "vitest";
import { type Database, openDatabase } from "../db/index.js";
import type { TestPostgres } from "./provided.js";

/** Every kind of database the API runs on. */
export const DATABASE_KINDS = ["pglite", "postgres"] as const;

export type DatabaseKind = (typeof DATABASE_KINDS)[number];

/**
 * Opens a new empty database: PGlite in memory, or a new database (`taskflow_test_<random>`)
 * on the test PostgreSQL, dropped again by `close()`.
 *
 * @throws when no test PostgreSQL is available, saying how to provide one.
 */
export async function openTestDatabase(kind: DatabaseKind): Promise<Database> {
  if (kind === "pglite") return openDatabase({ kind: "pglite", dataDir: null });
  const empty = await createPostgresDatabase();
  let database: Database;
  try {
    // A small pool: many test files run in parallel against one server.
    database = await openDatabase({ kind: "postgres", url: empty.url }, { maxConnections: 4 });
  } catch (error) {
    await empty.drop();
    throw error;
  }
  let closed: Promise<void> | undefined;
  return {
    ...database,
    close() {
      closed ??= database.close().then(() => empty.drop());
      return closed;
    },
  };
}

/**
 * One database for the tests of the current `describe`: opened before the first, closed after
 * the last. Returns a getter: when the database could not be opened (no PostgreSQL), every test
 * that uses it fails with the reason, rather than being reported as skipped.
 */
export function useTestDatabase(kind: DatabaseKind): () => Database {
  let database: Database | undefined;
  let failure: unknown;
  beforeAll(async () => {
    try {
      database = await openTestDatabase(kind);
    } catch (error) {
      failure = error;
    }
  }, 60_000);
  afterAll(() => database?.close());
  return () => {
    if (database === undefined) throw failure ?? new Error("The test database is not open yet.");
    return database;
  };
}

/** A new, empty (not migrated) database on the test PostgreSQL. */
export interface EmptyPostgresDatabase {
  readonly url: string;
  /** Drops it, disconnecting whoever is still connected. */
  drop(): Promise<void>;
}

/**
 * Creates `taskflow_test_<random>` on the test PostgreSQL, for tests of the migrations
 * themselves; most tests want {@link openTestDatabase}.
 */
export async function createPostgresDatabase(): Promise<EmptyPostgresDatabase> {
  const server = testPostgresUrl();
  const name = `taskflow_test_${randomBytes(8).toString("hex")}`;
  await asAdmin(server, `create database ${name}`);
  return {
    url: withDatabase(server, name),
    drop: () => asAdmin(server, `drop database if exists ${name} with (force)`),
  };
}

/** The admin URL of the test PostgreSQL (see `postgres.global.ts`). */
export function testPostgresUrl(): string {
  const provided: TestPostgres | undefined = inject("testPostgres");
  if (provided === undefined) {
    throw new Error(
      "No test PostgreSQL: run the tests with apps/api/vitest.config.ts (globalSetup).",
    );
  }
  if (provided.url === null) throw new Error(provided.problem);
  return provided.url;
}

/** `url` with its path pointing at database `name`. */
function withDatabase(url: string, name: string): string {
  const target = new URL(url);
  target.pathname = `/${name}`;
  return target.href;
}

async function asAdmin(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    const shown = new URL(url);
    shown.password = "";
    throw new Error(
      `Cannot reach the test PostgreSQL at ${shown.href} (${String(error)}). Is it running? ` +
        "Set TEST_DATABASE_URL to one that is, or unset it to let the tests start their own.",
      { cause: error },
    );
  }
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
