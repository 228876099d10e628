/**
 * Test fixture: a pino destination that keeps every line written, so tests can assert on what
 * was (and was not) logged. Not imported by application code.
 */
import { Writable } from "node:stream";

/** Collected log lines and the stream that collects them. */
export interface LogCapture {
  readonly lines: string[];
  readonly destination: Writable;
  /** The lines parsed as JSON. */
  records(): Record<string, unknown>[];
}

/**
 * Creates a capture to pass as `createLogger({ destination })`.
 *
 * @example
 * ```ts
 * const logs = captureLogs();
 * const logger = createLogger({ destination: logs.destination });
 * ```
 */
export function captureLogs(): LogCapture {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  return { lines, destination, records: () => lines.map((line) => JSON.parse(line)) };
}
