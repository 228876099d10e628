import { join, resolve } from "node:path";
import type { Env } from "../auth/index.js";
import { InvalidConfigError } from "../errors.js";

/** Where the tasks are stored; read once at start-up by {@link readDatabaseConfig}. */
export type DatabaseConfig =
  | {
      /** A PostgreSQL server (`DATABASE_URL`). */
      readonly kind: "postgres";
      /** A `postgres://` or `postgresql://` connection URL; it may hold a password. */
      readonly url: string;
    }
  | {
      /** PGlite: PostgreSQL compiled to WebAssembly, running inside the API process. */
      readonly kind: "pglite";
      /** The directory of its files; `null` keeps everything in memory (tests). */
      readonly dataDir: string | null;
    };

/** `DATA_DIR` when unset, resolved against the working directory. */
export const DEFAULT_DATA_DIR = ".data/api";

/**
 * Reads `DATABASE_URL` and `DATA_DIR`.
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
  const url = env.DATABASE_URL?.trim() ?? "";
  if (url !== "") {
    if (!/^postgres(ql)?:\/\//i.test(url) || !URL.canParse(url)) {
      // Not even the scheme is shown: in `user:secret@host` (scheme forgotten) it is the user.
      throw new InvalidConfigError(
        "Invalid database configuration: DATABASE_URL must be a postgres:// or postgresql:// URL (value not shown: it may hold a password).",
      );
    }
    return { kind: "postgres", url };
  }
  const dataDir = env.DATA_DIR?.trim() || DEFAULT_DATA_DIR;
  return { kind: "pglite", dataDir: join(resolve(cwd, dataDir), "pglite") };
}
