/**
 * Every refusal of a ChatKit request has a stable `code` and an HTTP `status`; match on `code`,
 * not `instanceof`, since two copies of this package may be loaded (undici's advice for its
 * `UND_ERR_*`). The README's "Errors" table lists every code; a test keeps the two in step.
 */
import type { ErrorCode } from "./types.js";

/** Marks errors of this package, whichever copy made them (`Symbol.for` is realm-wide). */
const BRAND = Symbol.for("handoff-chatkit.error");

/** Every `code` a {@link ChatKitError} can carry. */
export type ChatKitErrorCode =
  | "ERR_BAD_REQUEST"
  | "ERR_CHATKIT_UNKNOWN_REQUEST"
  | "ERR_CHATKIT_ATTACHMENTS_UNSUPPORTED"
  | "ERR_NOT_FOUND"
  | "ERR_METHOD_NOT_ALLOWED"
  | "ERR_CHATKIT_CONFLICT"
  | "ERR_PAYLOAD_TOO_LARGE"
  | "ERR_UNSUPPORTED_MEDIA_TYPE"
  | "ERR_VALIDATION";

/** One rejected field of a 422, named by its path in the body (`params.thread_id`). */
export interface FieldError {
  field: string;
  message: string;
}

/**
 * The base of every refusal: thrown by `process()` (and by stores) before any event is sent,
 * answered by `handle()` as `application/problem+json` (RFC 9457) with `status`.
 *
 * @example
 * ```ts
 * try { await server.process(body, context); }
 * catch (error) { if (isChatKitError(error) && error.code === "ERR_NOT_FOUND") … }
 * ```
 */
export class ChatKitError extends Error {
  readonly code: ChatKitErrorCode;
  readonly status: number;
  /** A short summary of the problem type (RFC 9457 §3.1.3). */
  readonly title: string;
  /** The rejected fields, on `ERR_VALIDATION`. */
  readonly errors: readonly FieldError[] | undefined;
  /** Extra response headers (`Allow` on a 405). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: ChatKitErrorCode,
    status: number,
    title: string,
    message: string,
    options: { errors?: readonly FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = "ChatKitError";
    this.code = code;
    this.status = status;
    this.title = title;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** The refusal as problem+json: `type`, `title`, `status`, `detail`, `code`, `errors?`. */
  toResponse(): Response {
    const body = {
      type: "about:blank",
      title: this.title,
      status: this.status,
      detail: this.message,
      code: this.code,
      ...(this.errors === undefined ? {} : { errors: this.errors }),
    };
    const headers = new Headers(this.headers);
    headers.set("content-type", "application/problem+json");
    // A refusal about someone's threads must not be reused for another request (RFC 9111 §5.2.2.5).
    headers.set("cache-control", "no-store");
    return new Response(JSON.stringify(body), { status: this.status, headers });
  }
}

/** 400: the body is not JSON, not UTF-8, or not a JSON object. */
export class BadRequestError extends ChatKitError {
  constructor(message: string) {
    super("ERR_BAD_REQUEST", 400, "Bad request", message);
  }
}

/** 400: `type` is missing or names no request this server answers (kept apart from 422 so a newer client can tell). */
export class UnknownRequestError extends ChatKitError {
  constructor(known: readonly string[]) {
    super(
      "ERR_CHATKIT_UNKNOWN_REQUEST",
      400,
      "Unknown ChatKit request",
      `The body's \`type\` must be one of: ${known.join(", ")}.`,
    );
  }
}

/** 400: `attachments.create` on a server without an `attachments` option: no id that no upload could fill. */
export class AttachmentsUnsupportedError extends ChatKitError {
  constructor() {
    super(
      "ERR_CHATKIT_ATTACHMENTS_UNSUPPORTED",
      400,
      "Attachments not supported",
      "This ChatKit server does not accept attachments. Send the message as text.",
    );
  }
}

/** 404: no such thread, item or attachment **for this owner**; another user's is answered alike. */
export class NotFoundError extends ChatKitError {
  constructor(message = "Not found.") {
    super("ERR_NOT_FOUND", 404, "Not found", message);
  }
}

/** 405: only POST carries a ChatKit request (RFC 9110 §15.5.6: say which methods are allowed). */
export class MethodNotAllowedError extends ChatKitError {
  constructor() {
    super("ERR_METHOD_NOT_ALLOWED", 405, "Method not allowed", "Send ChatKit requests with POST.", {
      headers: { allow: "POST" },
    });
  }
}

/** 409: the request does not fit the thread's state (RFC 9110 §15.5.10). */
export class ConflictError extends ChatKitError {
  constructor(message: string) {
    super("ERR_CHATKIT_CONFLICT", 409, "Request does not fit the thread", message);
  }
}

/** 413: the body is larger than `maxBodyBytes`, counted as it streams in. */
export class PayloadTooLargeError extends ChatKitError {
  constructor(limit: number) {
    super(
      "ERR_PAYLOAD_TOO_LARGE",
      413,
      "Payload too large",
      `The body must be at most ${limit} bytes.`,
    );
  }
}

/** 415: the body is not declared JSON; refused rather than read as a missing `type`. */
export class UnsupportedMediaTypeError extends ChatKitError {
  constructor() {
    super(
      "ERR_UNSUPPORTED_MEDIA_TYPE",
      415,
      "Unsupported media type",
      "Send the body as JSON with Content-Type: application/json.",
    );
  }
}

/** 422: `params` is missing or a field is invalid; `errors` names each field. */
export class ValidationError extends ChatKitError {
  constructor(errors: readonly FieldError[]) {
    const [first] = errors;
    const detail =
      first === undefined
        ? "The request is invalid."
        : `Invalid \`${first.field}\`: ${first.message}` +
          (errors.length > 1 ? ` (and ${errors.length - 1} more)` : "");
    super("ERR_VALIDATION", 422, "Invalid request", detail, { errors });
  }
}

/**
 * Whether a value is a refusal of this package (any copy of it), matched by its brand.
 *
 * @example
 * ```ts
 * if (isChatKitError(error)) return error.toResponse();
 * ```
 */
export function isChatKitError(error: unknown): error is ChatKitError {
  return typeof error === "object" && error !== null && BRAND in error;
}

/**
 * Thrown by a responder to end its stream with an `error` event, as chatkit-python's
 * `StreamError` (a `code` the web component words itself) and `CustomStreamError` (code
 * `custom`, with the `message` to show) do. Any other error ends the stream with
 * `{ code: "stream.error", allow_retry: true }` and is passed to `onError`. Not a refusal: the
 * stream has started, so there is no status code.
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
