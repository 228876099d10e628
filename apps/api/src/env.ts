import type { Env } from "./auth/index.js";
import { InvalidConfigError } from "./errors.js";

/** Where and how the server listens; read once at start-up by {@link readServerConfig}. */
export interface ServerConfig {
  /** `PORT`. @default 8000 */
  readonly port: number;
  /** `HOST`. @default "127.0.0.1" — loopback, so nothing is exposed unless asked for. */
  readonly host: string;
  /** `SHUTDOWN_DRAIN_MS`. @default 10000 */
  readonly drainTimeoutMs: number;
  /**
   * `SHUTDOWN_DELAY_MS`: after SIGTERM, how long the server goes on accepting connections while
   * `GET /ready` answers 503, so a balancer's health check takes it out before it refuses them.
   * @default 0 — one process has no balancer to tell; a cluster sets a few check intervals.
   */
  readonly shutdownDelayMs: number;
}

/**
 * Reads `PORT`, `HOST`, `SHUTDOWN_DRAIN_MS` and `SHUTDOWN_DELAY_MS`, failing at start-up on a value that is not a
 * whole number in range rather than listening somewhere unexpected.
 *
 * @throws {InvalidConfigError} `ERR_INVALID_CONFIG`, naming each faulty variable.
 * @example
 * ```ts
 * const { port, host } = readServerConfig(process.env);
 * ```
 */
export function readServerConfig(env: Env): ServerConfig {
  const problems: string[] = [];
  const integer = (name: string, fallback: number, max: number): number => {
    const text = env[name]?.trim() ?? "";
    if (text === "") return fallback;
    if (!/^\d+$/.test(text) || Number(text) > max) {
      problems.push(
        `${name} must be a whole number from 0 to ${max}, not ${JSON.stringify(text)}.`,
      );
      return fallback;
    }
    return Number(text);
  };
  const port = integer("PORT", 8000, 65_535);
  const drainTimeoutMs = integer("SHUTDOWN_DRAIN_MS", 10_000, 600_000);
  const shutdownDelayMs = integer("SHUTDOWN_DELAY_MS", 0, 600_000);
  const host = env.HOST?.trim() || "127.0.0.1";
  if (problems.length > 0) {
    throw new InvalidConfigError(`Invalid server configuration: ${problems.join(" ")}`);
  }
  return { port, host, drainTimeoutMs, shutdownDelayMs };
}
