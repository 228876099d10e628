/**
 * The TaskFlow API's errors: a base with a stable `code` that renders RFC 9457 problem+json, the
 * errors any route can answer, and helpers that match by `code`. Errors that belong to one
 * feature live with it (src/agent/errors.ts, src/tasks/errors.ts). Match on `code`, not
 * `instanceof`: two copies of a module may be loaded (as undici advises for its `UND_ERR_*`).
 * docs/api/errors.md gives each code's meaning and resolution; a test keeps the two in step.
 */

/** RFC 9457 §3.1.1: problem type URIs, one page per code, absolute to avoid resolution doubts. */
const PROBLEM_TYPE_BASE = "https://handoff.dev/taskflow/errors/";

/**
 * The protection space named in every Bearer challenge (RFC 6750 §3, RFC 9110 §11.5). The same
 * realm on every 401 lets a client tell that retrying with another token is the remedy.
 */
const REALM = "taskflow";

/** Options every API error accepts. */
export interface ApiErrorOptions {
  /** The underlying error, kept for logs; never rendered into a response. */
  cause?: unknown;
  /** Extra response headers, such as `WWW-Authenticate` on a 401 or `Retry-After` on a 503. */
  headers?: Record<string, string>;
  /** Extension members added to the problem body (RFC 9457 §3.2), such as `errors` on a 422. */
  members?: Record<string, unknown>;
}

/**
 * The base class of every TaskFlow API error: `code`, `status` and `title`, rendered by
 * {@link ApiError.toResponse}.
 *
 * @example
 * ```ts
 * try { principal = await verify(request.headers.get("authorization")); }
 * catch (error) { if (isApiError(error)) return error.toResponse(); throw error; }
 * ```
 */
export class ApiError extends Error {
  /** A stable identifier such as `ERR_TOKEN_INVALID`. */
  readonly code: string;
  /** The HTTP status the error is answered with. */
  readonly status: number;
  /** A short, human-readable summary of the problem type (RFC 9457 §3.1.3). */
  readonly title: string;
  /** Extra headers to send with the problem response. */
  readonly headers: Record<string, string>;
  /** Extension members of the problem body (RFC 9457 §3.2). */
  readonly members: Record<string, unknown>;

  constructor(
    code: string,
    status: number,
    title: string,
    message: string,
    options: ApiErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ApiError";
    this.code = code;
    this.status = status;
    this.title = title;
    this.headers = options.headers ?? {};
    this.members = options.members ?? {};
  }

  /**
   * Renders the error as an RFC 9457 `application/problem+json` response: `type`, `title`,
   * `status`, `detail` (the message), `code` and, when given, `requestId`; never the `cause`.
   *
   * @example
   * ```ts
   * return new TokenMissingError().toResponse({ requestId });
   * ```
   */
  toResponse(context: { requestId?: string } = {}): Response {
    const body = {
      ...this.members,
      type: PROBLEM_TYPE_BASE + this.code,
      title: this.title,
      status: this.status,
      detail: this.message,
      code: this.code,
      ...(context.requestId === undefined ? {} : { requestId: context.requestId }),
    };
    const headers = new Headers(this.headers);
    headers.set("content-type", "application/problem+json");
    // An answer about credentials must not be reused for another request (RFC 9111 §5.2.2.5).
    headers.set("cache-control", "no-store");
    if (context.requestId !== undefined) headers.set("x-request-id", context.requestId);
    return new Response(JSON.stringify(body), { status: this.status, headers });
  }
}

/** Start-up only, never answered: the configuration is unusable (the message lists why). */
export class InvalidConfigError extends ApiError {
  constructor(message: string) {
    super("ERR_INVALID_CONFIG", 500, "Invalid TaskFlow API configuration", message);
  }
}

/**
 * 401: no bearer token; RFC 6750 §3.1 gives no error code then, so the challenge names the realm
 * only.
 */
export class TokenMissingError extends ApiError {
  constructor() {
    super(
      "ERR_TOKEN_MISSING",
      401,
      "Bearer token required",
      "This endpoint requires an Authorization: Bearer token.",
      { headers: { "www-authenticate": `Bearer realm="${REALM}"` } },
    );
  }
}

/**
 * 401 `invalid_token` (RFC 6750 §3.1): one generic detail, since naming the failed check helps a
 * forger.
 */
export class TokenInvalidError extends ApiError {
  constructor(cause?: unknown) {
    super(
      "ERR_TOKEN_INVALID",
      401,
      "Invalid bearer token",
      "The bearer token is not valid for this service. Sign in again to get a new one.",
      {
        cause,
        headers: { "www-authenticate": `Bearer realm="${REALM}", error="invalid_token"` },
      },
    );
  }
}

/**
 * 403, not 401: the token is authentic but names no tenant, and signing in again will not help (RFC
 * 9110 §15.5.4).
 */
export class TenantMissingError extends ApiError {
  constructor() {
    super(
      "ERR_TENANT_MISSING",
      403,
      "No tenant in token",
      "The bearer token does not name a tenant (tenant_id claim).",
    );
  }
}

/**
 * 503 with `Retry-After`, not 401: the JWKS could not be fetched, and the client's token may well
 * be valid.
 */
export class AuthUnavailableError extends ApiError {
  constructor(retryAfterSeconds: number, cause?: unknown) {
    super(
      "ERR_AUTH_UNAVAILABLE",
      503,
      "Authentication unavailable",
      "The keys that verify bearer tokens could not be fetched. Try again shortly.",
      { cause, headers: { "retry-after": String(Math.max(1, Math.ceil(retryAfterSeconds))) } },
    );
  }
}

/** 404 as problem+json, so a client handles one error format whatever went wrong. */
export class NotFoundError extends ApiError {
  constructor(message = "No resource answers this method and path.") {
    super("ERR_NOT_FOUND", 404, "Not found", message);
  }
}

/** One rejected input field of a 422, named by its JSON path (`title`, `notes`, `status`). */
export interface FieldError {
  /**
   * The field, as a dotted path into the request (`title`, `notes.0`; a query parameter by its
   * name, `limit`).
   */
  field: string;
  /** Why the value was refused, in a sentence a form can show next to the field. */
  message: string;
}

/**
 * 422: well-formed JSON with a field missing, mistyped or out of range; `errors` lists every
 * rejected field so a form can mark them all at once.
 *
 * @example
 * ```ts
 * throw new ValidationError([{ field: "title", message: "Must not be empty." }]);
 * ```
 */
export class ValidationError extends ApiError {
  /** Every rejected field. */
  readonly errors: readonly FieldError[];

  constructor(errors: readonly FieldError[]) {
    const [first] = errors;
    const detail =
      first === undefined
        ? "The request is invalid."
        : `Invalid \`${first.field}\`: ${first.message}` +
          (errors.length > 1 ? ` (and ${errors.length - 1} more)` : "");
    super("ERR_VALIDATION", 422, "Invalid request", detail, {
      members: { errors: errors.map(({ field, message }) => ({ field, message })) },
    });
    this.errors = errors;
  }
}

/** 400: the body is not the JSON object the route expects. */
export class BadRequestError extends ApiError {
  constructor(message: string) {
    super("ERR_BAD_REQUEST", 400, "Bad request", message);
  }
}

/** 415: refused rather than read as empty, so a form post is not mistaken for a missing field. */
export class UnsupportedMediaTypeError extends ApiError {
  constructor() {
    super(
      "ERR_UNSUPPORTED_MEDIA_TYPE",
      415,
      "Unsupported media type",
      "Send the body as JSON with Content-Type: application/json.",
      // RFC 9110 §15.5.16: say which formats are accepted.
      { headers: { "accept-patch": "application/json, application/merge-patch+json" } },
    );
  }
}

/**
 * 413: counted as the body streams in, so a lying or absent `Content-Length` does not get past it.
 */
export class PayloadTooLargeError extends ApiError {
  constructor(limit: number) {
    super(
      "ERR_PAYLOAD_TOO_LARGE",
      413,
      "Payload too large",
      `The request body is larger than ${limit} bytes.`,
    );
  }
}

/**
 * 500 with a fixed detail: an exception message can carry internals that must not reach a client
 * (OWASP ASVS V7.4.1); the cause is logged, and `requestId` ties the two together.
 *
 * @example
 * ```ts
 * app.onError((error, c) => new InternalError(error).toResponse({ requestId: c.get("requestId") }));
 * ```
 */
export class InternalError extends ApiError {
  constructor(cause?: unknown) {
    super(
      "ERR_INTERNAL",
      500,
      "Internal server error",
      "The server failed to answer this request. Quote the request id when reporting it.",
      { cause },
    );
  }
}

/**
 * 405 with the `Allow` header RFC 9110 §15.5.6 requires (stateless `/mcp` has no GET or DELETE).
 */
export class MethodNotAllowedError extends ApiError {
  constructor(allow: readonly string[]) {
    super(
      "ERR_METHOD_NOT_ALLOWED",
      405,
      "Method not allowed",
      `This endpoint answers ${allow.join(", ")} only.`,
      { headers: { allow: allow.join(", ") } },
    );
  }
}

/**
 * 503 on `GET /ready`: the process is draining or its database did not answer, so a load
 * balancer should send requests elsewhere. One fixed detail: which of the two, and any database
 * error, stays in the log.
 */
export class NotReadyError extends ApiError {
  constructor() {
    super(
      "ERR_NOT_READY",
      503,
      "Not ready",
      "This instance is not taking requests: it is shutting down or cannot reach its database.",
    );
  }
}

/**
 * Reads the stable `code` of any error-like value, whichever copy of this module made it.
 *
 * @example
 * ```ts
 * if (errorCode(error) === "ERR_TOKEN_INVALID") log.warn({ cause: error.cause });
 * ```
 */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "code" in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === "string" ? code : undefined;
  }
  return undefined;
}

/**
 * Whether a value is an API error that can answer for itself, matched by shape, not `instanceof`.
 *
 * @example
 * ```ts
 * app.onError((error) => (isApiError(error) ? error.toResponse() : internal(error)));
 * ```
 */
export function isApiError(error: unknown): error is ApiError {
  return (
    errorCode(error)?.startsWith("ERR_") === true &&
    typeof (error as { status?: unknown }).status === "number" &&
    typeof (error as { toResponse?: unknown }).toResponse === "function"
  );
}
