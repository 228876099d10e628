export {
  type DatabaseConfig,
  type DatabaseKind,
  type ReadDatabaseConfigOptions,
  readDatabaseConfig,
} from "./config.js";
export { DbKitError, type DbKitErrorCode, InvalidDatabaseConfigError } from "./errors.js";
export { type Database, openDatabase } from "./open.js";
export type { DatabaseLogger, Db, Migrations, OpenOptions } from "./types.js";
