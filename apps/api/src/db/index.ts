export { type DatabaseConfig, DEFAULT_DATA_DIR, readDatabaseConfig } from "./config.js";
export { MIGRATIONS_FOLDER } from "./migrations.js";
export { type Database, type OpenOptions, openDatabase } from "./open.js";
export type { Db } from "./schema.js";
