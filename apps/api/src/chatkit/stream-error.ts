import type { ErrorCode } from "./types.js";

/**
 * Thrown by a responder to end its stream with an `error` event, as chatkit-python's
 * `StreamError` (a `code` the web component words itself) and `CustomStreamError` (code
 * `custom`, with the `message` to show) do. Any other error ends the stream with
 * `{ code: "stream.error", allow_retry: true }` and is passed to `onError`.
 *
 * @example
 * ```ts
 * throw new ChatKitStreamError("custom", { message: "The model is busy.", allowRetry: true });
 * ```
 */
export class ChatKitStreamError extends Error {
  readonly code: ErrorCode | "custom";
  readonly allowRetry: boolean;
  /** The sentence to show; only sent with code `custom`. */
  readonly userMessage: string | undefined;

  constructor(
    code: ErrorCode | "custom",
    options: { message?: string; allowRetry?: boolean; cause?: unknown } = {},
  ) {
    super(options.message ?? code, options.cause === undefined ? {} : { cause: options.cause });
    this.name = "ChatKitStreamError";
    this.code = code;
    // chatkit-python: `stream.error` may be retried by default, a custom error may not.
    this.allowRetry = options.allowRetry ?? code === "stream.error";
    this.userMessage = code === "custom" ? options.message : undefined;
  }
}
