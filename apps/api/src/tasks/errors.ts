/** The tasks resource's own error; the generic ones (404, 422, …) are in src/errors.ts. */
import { ApiError } from "../errors.js";

/**
 * 412 (RFC 9110 §13.1.1): the task changed since it was read; the current `ETag` comes back for a
 * retry.
 */
export class PreconditionFailedError extends ApiError {
  constructor(currentEtag?: string) {
    super(
      "ERR_PRECONDITION_FAILED",
      412,
      "Precondition failed",
      "The resource was changed since you read it. Fetch it again and retry with its new ETag.",
      currentEtag === undefined ? {} : { headers: { etag: currentEtag } },
    );
  }
}

/**
 * 429 (RFC 6585 §4): the caller already holds as many task event streams as one user (or one
 * tenant) may; each one holds a connection and memory on an instance.
 */
export class TooManyStreamsError extends ApiError {
  constructor(limit: "user" | "tenant") {
    super(
      "ERR_TOO_MANY_STREAMS",
      429,
      "Too many event streams",
      `Your ${limit} already has as many open task event streams as allowed. Close one (another tab) and try again.`,
    );
  }
}

/**
 * 426 (RFC 9110 §15.5.22) with `Upgrade: websocket`: `GET /api/tasks/live` is a WebSocket, asked
 * for as a plain request.
 */
export class UpgradeRequiredError extends ApiError {
  constructor() {
    super(
      "ERR_UPGRADE_REQUIRED",
      426,
      "Upgrade required",
      "This endpoint is a WebSocket: connect with a WebSocket client (Upgrade: websocket).",
      { headers: { upgrade: "websocket", connection: "Upgrade" } },
    );
  }
}
