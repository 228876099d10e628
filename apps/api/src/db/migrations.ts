import { fileURLToPath } from "node:url";

/**
 * The SQL migrations drizzle-kit generated from `schema.ts`: `apps/api/drizzle/`. Two levels up
 * from both `src/db/` (tests, tsx) and `dist/db/` (the build), so ship that folder next to
 * `dist/` when deploying.
 */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../../drizzle", import.meta.url));

/**
 * The key of the PostgreSQL advisory lock held while migrating ("taskflow" in ASCII). Drizzle's
 * migrator reads which migrations ran before it opens its transaction, so two API processes
 * starting together would both apply the same migration; the lock makes the second one wait,
 * then find nothing left to do.
 */
export const MIGRATION_LOCK_KEY = "8386110886257651575";
