import { join, resolve } from "node:path";
import { InvalidDatabaseConfigError } from "./errors.js";

/** Which database to open; read once at start-up by {@link readDatabaseConfig}. */
export type DatabaseConfig =
  | {
      /** A PostgreSQL server (`DATABASE_URL`). */
      readonly kind: "postgres";
      /** A `postgres://` or `postgresql://` connection URL; it may hold a password. */
      readonly url: string;
    }
  | {
      /** PGlite: PostgreSQL compiled to WebAssembly, running inside the process. */
      readonly kind: "pglite";
      /** The directory of its files; `null` keeps everything in memory (tests). */
      readonly dataDir: string | null;
    };

/** Either kind of database. */
export type DatabaseKind = DatabaseConfig["kind"];

/** What {@link readDatabaseConfig} needs besides the environment. */
export interface ReadDatabaseConfigOptions {
  /** `DATA_DIR` when unset, such as `.data/api`. */
  readonly defaultDataDir: string;
  /**
   * What a relative `DATA_DIR` is resolved against.
   * @default process.cwd()
   */
  readonly cwd?: string;
}

/**
 * Reads `DATABASE_URL` and `DATA_DIR`.
 *
 * - `DATABASE_URL` set: a PostgreSQL server at that `postgres://` or `postgresql://` URL.
 * - Otherwise PGlite, in-process, with its files in `<DATA_DIR>/pglite`; a relative `DATA_DIR`
 *   is resolved against `cwd`. Only one process may use a PGlite directory at a time.
 *
 * @throws {InvalidDatabaseConfigError} `ERR_INVALID_CONFIG` when `DATABASE_URL` is not a
 *   PostgreSQL URL. The message never repeats the URL: it may hold a password.
 * @example
 * ```ts
 * const config = readDatabaseConfig(process.env, { defaultDataDir: ".data/api" });
 * ```
 */
export function readDatabaseConfig(
  env: Readonly<Record<string, string | undefined>>,
  options: ReadDatabaseConfigOptions,
): DatabaseConfig {
  const url = env.DATABASE_URL?.trim() ?? "";
  if (url !== "") {
    if (!/^postgres(ql)?:\/\//i.test(url) || !URL.canParse(url)) {
      // Not even the scheme is shown: in `user:secret@host` (scheme forgotten) it is the user.
      throw new InvalidDatabaseConfigError(
        "DATABASE_URL must be a postgres:// or postgresql:// URL (value not shown: it may hold a password).",
      );
    }
    return { kind: "postgres", url };
  }
  const dataDir = env.DATA_DIR?.trim() || options.defaultDataDir;
  return {
    kind: "pglite",
    dataDir: join(resolve(options.cwd ?? process.cwd(), dataDir), "pglite"),
  };
}
