import { type DestinationStream, type Logger, pino } from "pino";

/**
 * Paths pino censors before a line is written. A bearer token or session cookie in a log file
 * is a credential anyone with log access can replay (OWASP Logging Cheat Sheet, "Data to
 * exclude"), so these are redacted even though the request log does not include headers today:
 * the next person to log `req` must not leak them by accident.
 */
const REDACTED_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["set-cookie"]',
  "*.authorization",
  "*.cookie",
  "authorization",
  "cookie",
] as const;

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  /**
   * The minimum level written (`LOG_LEVEL`).
   * @default "info"
   */
  level?: string;
  /** Where lines go; standard output when absent. Tests pass a stream that collects lines. */
  destination?: DestinationStream;
}

/**
 * Creates the API's structured (JSON lines) logger, with credentials redacted.
 *
 * @example
 * ```ts
 * const logger = createLogger({ level: process.env.LOG_LEVEL });
 * logger.info({ req: { headers } }, "hello"); // authorization → "[Redacted]"
 * ```
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: { service: "taskflow-api" },
      redact: { paths: [...REDACTED_PATHS], censor: "[Redacted]" },
    },
    options.destination,
  );
}
