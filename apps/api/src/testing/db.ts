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
import { createPostgresDatabase } from "@handoff/db-kit/testing";
import { afterAll, beforeAll } from "vitest";
import { type Database, openDatabase } from "../database.js";

// The test PostgreSQL (TEST_DATABASE_URL or a throwaway cluster) comes from the kit's global
// setup (vitest.config.ts); these are the kit's helpers for it.
export { createPostgresDatabase } from "@handoff/db-kit/testing";

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
