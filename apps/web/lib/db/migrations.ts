import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Migrations } from "@handoff/db-kit";

/**
 * The SQL migrations drizzle-kit generated from `schema.ts` (`apps/web/drizzle/`). A Next.js
 * server bundle does not keep its source paths, so the folder is found from the working
 * directory: `apps/web` under `npm start -w web`, or the repository root.
 */
export function migrationsFolder(cwd: string = process.cwd()): string {
  for (const candidate of [resolve(cwd, "drizzle"), resolve(cwd, "apps/web/drizzle")]) {
    if (existsSync(resolve(candidate, "meta/_journal.json"))) return candidate;
  }
  throw new Error(
    `The web app's migrations were not found under ${cwd}: run it from apps/web (npm start -w web).`,
  );
}

/**
 * The web app's migrations, for the database kit's `openDatabase`.
 *
 * - Drizzle's journal is `drizzle.__web_migrations`, not the default `__drizzle_migrations`,
 *   which apps/api uses: when both apps share one PostgreSQL database, one journal would make
 *   each skip the other's migrations.
 * - The advisory lock held while migrating is "taskweb" in ASCII (the API's key differs), so
 *   that two web processes starting at once do not both apply a migration.
 *
 * @example
 * ```ts
 * const database = await openDatabase(config.database, { migrations: webMigrations() });
 * ```
 */
export function webMigrations(cwd: string = process.cwd()): Migrations {
  return {
    folder: migrationsFolder(cwd),
    table: "__web_migrations",
    schema: "drizzle",
    lockKey: "32758245650556258",
  };
}
