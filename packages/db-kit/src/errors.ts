/**
 * Every error the kit throws on purpose has a stable `code`. Match on `code`, not `instanceof`:
 * each app may load its own copy of the kit (undici's advice for its `UND_ERR_*`).
 */

/** The codes of {@link DbKitError}. */
export type DbKitErrorCode = "ERR_INVALID_CONFIG";

/** The base class of the kit's errors. */
export class DbKitError extends Error {
  /** A stable identifier, the same as the apps' own code for the same failure. */
  readonly code: DbKitErrorCode;

  constructor(code: DbKitErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DbKitError";
    this.code = code;
  }
}

/**
 * `ERR_INVALID_CONFIG`: the database cannot be used as configured, because `DATABASE_URL` is not
 * a PostgreSQL URL or because another process (or another open of this one) holds the PGlite
 * directory. The apps' start-up treats it like their own configuration errors: one message, exit 1.
 */
export class InvalidDatabaseConfigError extends DbKitError {
  constructor(message: string) {
    super("ERR_INVALID_CONFIG", message);
    this.name = "InvalidDatabaseConfigError";
  }
}
