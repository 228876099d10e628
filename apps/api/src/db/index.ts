/**
 * @deprecated The database with the API's stores is wired in `src/database.ts`; import
 * `Database` from there. Kept until the last importer of this path moves.
 */
export type { Database } from "../database.js";
export { type DatabaseConfig, DEFAULT_DATA_DIR, readDatabaseConfig } from "./config.js";
export { MIGRATION_LOCK_KEY, MIGRATIONS, MIGRATIONS_FOLDER } from "./migrations.js";
export type { Db } from "./schema.js";
