import { fileURLToPath } from "node:url";
import type { Migrations } from "@handoff/db-kit";

/**
 * The SQL migrations drizzle-kit generated from `schema.ts`: `apps/api/drizzle/`. Two levels up
 * from both `src/db/` (tests, tsx) and `dist/db/` (the build), so ship that folder next to
 * `dist/` when deploying.
 */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../../drizzle", import.meta.url));

/**
 * The key of the PostgreSQL advisory lock held while migrating ("taskflow" in ASCII; the web
 * app's differs), so that API processes starting together apply each migration once.
 */
const MIGRATION_LOCK_KEY = "8386110886257651575";

/** The API's migrations, for the kit's `openDatabase`; Drizzle's default journal table. */
export const MIGRATIONS: Migrations = { folder: MIGRATIONS_FOLDER, lockKey: MIGRATION_LOCK_KEY };
