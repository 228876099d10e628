import { isJsonType, mediaTypeOf } from "../lib/media-type.js";

/**
 * An RFC 9457 problem details object, as Handoff and the APIs behind it answer errors. Every
 * member is optional; APIs may add their own, such as `errors` for a list of invalid fields.
 */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  /** A stable identifier such as `ERR_UNAUTHENTICATED`: the member to match on. */
  code?: string;
  requestId?: string;
  [member: string]: unknown;
}

/**
 * An HTTP response with an error status (not 2xx), thrown by `readJson`, `readEvents` and
 * `streamEvents`. It carries the `application/problem+json` members the server sent; `code`
 * is the server's (`ERR_UNAUTHENTICATED` from the proxy, `ERR_PRECONDITION_FAILED` from the
 * API, …) and `undefined` when the body was not JSON.
 *
 * Match on `code` (or `status`), not on the message.
 *
 * @example
 * ```ts
 * try {
 *   await readJson(await api("/api/proxy/api/tasks/1", { method: "PATCH", body }));
 * } catch (error) {
 *   if (error instanceof ProblemError && error.code === "ERR_PRECONDITION_FAILED") reload();
 *   else throw error;
 * }
 * ```
 */
export class ProblemError extends Error {
  /** The response's status. */
  readonly status: number;
  /** The problem's `code`, when the body had one. */
  readonly code: string | undefined;
  /** The problem's `title`, else the status text. */
  readonly title: string;
  /** The problem's `detail`, a sentence about this occurrence. */
  readonly detail: string | undefined;
  /** The problem's `requestId`, else the `X-Request-Id` response header: quote it in reports. */
  readonly requestId: string | undefined;
  /** The whole JSON body as it was sent (`{}` when it was not JSON). */
  readonly problem: Problem;
  /** The response; its body has been read. Headers such as `ETag` or `Retry-After` remain. */
  readonly response: Response;

  constructor(response: Response, problem: Problem = {}) {
    const title = stringOr(problem.title, response.statusText || `HTTP ${response.status}`);
    const detail = stringOr(problem.detail, undefined);
    super(detail ?? title);
    this.name = "ProblemError";
    this.status = response.status;
    this.code = stringOr(problem.code, undefined);
    this.title = title;
    this.detail = detail;
    this.requestId = stringOr(problem.requestId, response.headers.get("x-request-id") ?? undefined);
    this.problem = problem;
    this.response = response;
  }

  /**
   * Reads a response's problem details (any JSON body; other bodies are discarded unread,
   * which releases the connection) and returns the error; it does not throw it.
   *
   * @example
   * ```ts
   * if (!response.ok) throw await ProblemError.fromResponse(response);
   * ```
   */
  static async fromResponse(response: Response): Promise<ProblemError> {
    let problem: Problem = {};
    if (isJsonType(mediaTypeOf(response.headers))) {
      try {
        const body: unknown = JSON.parse(await response.text());
        if (typeof body === "object" && body !== null && !Array.isArray(body)) {
          problem = body as Problem;
        }
      } catch {
        // Not JSON after all: the status still says what happened.
      }
    } else {
      await response.body?.cancel().catch(() => {});
    }
    return new ProblemError(response, problem);
  }
}

function stringOr<T extends string | undefined>(value: unknown, fallback: T): string | T {
  return typeof value === "string" ? value : fallback;
}
