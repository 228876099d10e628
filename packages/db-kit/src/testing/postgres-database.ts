/**
 * Test fixture: new, empty databases on the test PostgreSQL that the global setup
 * (`postgres-global.ts`) provides. Not imported by application code.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import type { TestPostgres } from "./provided.js";

/** A new, empty (not migrated) database on the test PostgreSQL. */
export interface EmptyPostgresDatabase {
  readonly url: string;
  /** Drops it, disconnecting whoever is still connected. */
  drop(): Promise<void>;
}

/**
 * Creates `taskflow_test_<random>` on the test PostgreSQL.
 *
 * @throws when no test PostgreSQL is available, saying how to provide one.
 * @example
 * ```ts
 * const empty = await createPostgresDatabase();
 * try { await openDatabase({ kind: "postgres", url: empty.url }, options); } finally { await empty.drop(); }
 * ```
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

/**
 * The admin URL of the test PostgreSQL.
 *
 * @example
 * ```ts
 * const client = new pg.Client({ connectionString: testPostgresUrl() });
 * ```
 */
export function testPostgresUrl(): string {
  const provided: TestPostgres | undefined = inject("testPostgres");
  if (provided === undefined) {
    throw new Error(
      'No test PostgreSQL: add "@handoff/db-kit/testing/postgres-global" to the globalSetup of vitest.config.ts.',
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
