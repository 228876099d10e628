import { HandoffError, InternalError } from "../errors.js";
import { describeCause, type LogEvent, type LogSink } from "../proxy/log.js";

/** What a handler reports: its outcome, and a failed cancel that did not fail the request. */
export interface Reporter {
  done(status: number, msg: string): void;
  failed(failure: HandoffError): void;
  cancelFailed(error: unknown): void;
}

type Outcome = Omit<LogEvent, "method" | "requestId" | "path" | "durationMs">;

/**
 * Log events shaped as the proxy's (`LogEvent`): codes, statuses and causes. Never a client
 * secret, the API key or a user id; causes of Sessions API errors hold OpenAI's error type and
 * code, never its message (see sessions-api.ts).
 */
export function reporter(
  log: LogSink | null,
  method: string,
  requestId: string,
  started: number,
  path: () => string,
): Reporter {
  const emit = (outcome: Outcome) =>
    log?.({ ...outcome, method, requestId, path: path(), durationMs: Date.now() - started });
  const withCause = (failure: HandoffError) => {
    const cause = describeCause(failure.cause);
    return { code: failure.code, ...(cause ? { cause } : {}) };
  };
  return {
    done: (status, msg) => emit({ level: "info", msg, status }),
    failed(failure) {
      const level = failure.status < 500 ? "info" : failure.status === 500 ? "error" : "warn";
      emit({ level, msg: failure.title, status: failure.status, ...withCause(failure) });
    },
    cancelFailed(error) {
      const failure = error instanceof HandoffError ? error : new InternalError(error);
      const msg = "Old ChatKit session not cancelled; it stays usable until it expires";
      emit({ level: "warn", msg, status: 200, ...withCause(failure) });
    },
  };
}
