export { readDatabaseConfig } from "./config.js";
export { MIGRATIONS_FOLDER } from "./migrations.js";
