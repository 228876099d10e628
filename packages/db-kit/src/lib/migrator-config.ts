import type { MigrationConfig } from "drizzle-orm/migrator";
import type { Migrations } from "../types.js";

/** Drizzle's migrator options for an app's {@link Migrations}. */
export function migratorConfig(migrations: Migrations): MigrationConfig {
  return {
    migrationsFolder: migrations.folder,
    ...(migrations.table === undefined ? {} : { migrationsTable: migrations.table }),
    ...(migrations.schema === undefined ? {} : { migrationsSchema: migrations.schema }),
  };
}
