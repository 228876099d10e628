/**
 * One event per proxied request when its answer starts, and a second (`warn`, "Response body
 * failed: …") when a body already under way fails (an idle timeout, an upstream reset). It
 * names the path but never the query (queries carry secrets often enough), and never a
 * header value: no token or cookie can reach a log.
 */
export interface LogEvent {
  level: "info" | "warn" | "error";
  msg: string;
  requestId: string;
  method: string;
  /** The request path (mount included, percent-encoded as the URL parser left it), no query. */
  path: string;
  /** The status answered to the client. */
  status: number;
  durationMs: number;
  /** The Handoff error code, when the proxy answered with an error or a body failed. */
  code?: string;
  /** The cause's `name: message`, for upstream failures. */
  cause?: string;
}

/** A pino-, console- or winston-shaped logger. */
export interface Logger {
  info?(event: LogEvent): void;
  warn?(event: LogEvent): void;
  error?(event: LogEvent): void;
}

export type LogSink = (event: LogEvent) => void;

/** Adapts the `logger` option to one function; `null` when logging is off. */
export function logSink(logger: Logger | ((event: LogEvent) => void) | undefined): LogSink | null {
  if (logger === undefined) return null;
  if (typeof logger === "function") return logger;
  return (event) => logger[event.level]?.(event);
}

/** `Name: message` of a cause, cut short; never a stack. */
export function describeCause(cause: unknown): string | undefined {
  if (!(cause instanceof Error)) return undefined;
  const code = (cause as { code?: unknown }).code;
  return `${cause.name}${typeof code === "string" ? ` ${code}` : ""}: ${cause.message}`.slice(
    0,
    200,
  );
}
