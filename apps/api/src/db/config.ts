import { type DatabaseConfig, readDatabaseConfig as readConfig } from "@handoff/db-kit";
import type { Env } from "../auth/index.js";
import { errorCode, InvalidConfigError } from "../errors.js";

export type { DatabaseConfig };

/** `DATA_DIR` when unset, resolved against the working directory. */
const DEFAULT_DATA_DIR = ".data/api";

/**
 * Reads `DATABASE_URL` and `DATA_DIR` (the kit's rules, `.data/api` by default).
 *
 * - `DATABASE_URL` set: a PostgreSQL server at that `postgres://` or `postgresql://` URL.
 * - Otherwise PGlite, in-process, with its files in `<DATA_DIR>/pglite`; `DATA_DIR` defaults to
 *   `.data/api` and a relative path is resolved against the working directory. Only one process
 *   may use a PGlite directory at a time.
 *
 * @throws {InvalidConfigError} `ERR_INVALID_CONFIG` when `DATABASE_URL` is not a PostgreSQL URL.
 *   The message never repeats the URL: it may hold a password.
 * @example
 * ```ts
 * const database = await openDatabase(readDatabaseConfig(process.env));
 * ```
 */
export function readDatabaseConfig(env: Env, cwd: string = process.cwd()): DatabaseConfig {
  try {
    return readConfig(env, { defaultDataDir: DEFAULT_DATA_DIR, cwd });
  } catch (error) {
    if (errorCode(error) !== "ERR_INVALID_CONFIG") throw error;
    throw new InvalidConfigError(`Invalid database configuration: ${(error as Error).message}`);
  }
}
