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
