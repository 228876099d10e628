/**
 * Every failure the TaskFlow API answers has a stable `code`. Match on `code`, not on
 * `instanceof`: two copies of a module may be loaded (as undici advises for its `UND_ERR_*`).
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
  extensions?: Record<string, unknown>;
}

/**
 * The base class of every TaskFlow API error.
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
  readonly extensions: Record<string, unknown>;

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
    this.extensions = options.extensions ?? {};
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
      ...this.extensions,
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

/**
 * Thrown at start-up (never answered to a client) when the configuration is unusable.
 *
 * @example
 * ```ts
 * try { readAuthConfig(process.env); }
 * catch (error) { if (errorCode(error) === "ERR_INVALID_CONFIG") { console.error(error.message); process.exit(1); } }
 * ```
 */
export class InvalidConfigError extends ApiError {
  constructor(message: string) {
    super("ERR_INVALID_CONFIG", 500, "Invalid TaskFlow API configuration", message);
  }
}

/**
 * 401: the request carries no bearer token (no `Authorization` header, or another scheme).
 * RFC 6750 §3.1: "If the request lacks any authentication information (e.g., the client was
 * unaware that authentication is necessary or attempted using an unsupported authentication
 * method), the resource server SHOULD NOT include an error code", so the challenge names the
 * realm only.
 *
 * @example
 * ```ts
 * new TokenMissingError().toResponse(); // 401, WWW-Authenticate: Bearer realm="taskflow"
 * ```
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
 * 401: a bearer credential was sent but cannot be accepted: malformed, badly signed, expired,
 * not yet valid, for another issuer or audience, or signed with a key or algorithm we do not
 * accept. RFC 6750 §3.1 `invalid_token`. The detail is one generic sentence on purpose: saying
 * which check failed helps an attacker tune a forgery. The reason stays in `cause`, for logs.
 *
 * @example
 * ```ts
 * throw new TokenInvalidError(joseError); // 401, WWW-Authenticate: Bearer …, error="invalid_token"
 * ```
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
 * 403: the token is valid but names no tenant (`tenant_id` claim missing or empty), so no data
 * can be scoped to it. 403, not 401: the credential is authentic, and another attempt with the
 * same identity will not help (RFC 9110 §15.5.4). No `insufficient_scope` challenge either:
 * the tenant is not an OAuth scope the client could ask for (RFC 6750 §3.1).
 *
 * @example
 * ```ts
 * if (!tenantId) throw new TenantMissingError();
 * ```
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
 * 503: the signing keys (JWKS) could not be fetched, so no token can be checked right now.
 * Not a 401: the client's token may be perfectly valid, and a 401 would send it to sign in
 * again for nothing. RFC 9110 §15.6.4 lets a 503 carry `Retry-After` (§10.2.3, seconds).
 *
 * @example
 * ```ts
 * throw new AuthUnavailableError(5, fetchError); // 503, Retry-After: 5
 * ```
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

/**
 * 404: no route answers this method and path. Rendered as problem+json like every other error,
 * so a client handles one error format whatever went wrong.
 *
 * @example
 * ```ts
 * app.notFound((c) => new NotFoundError().toResponse({ requestId: c.get("requestId") }));
 * ```
 */
export class NotFoundError extends ApiError {
  constructor(message = "No resource answers this method and path.") {
    super("ERR_NOT_FOUND", 404, "Not found", message);
  }
}

/** One rejected input field of a 422, named by its JSON path (`title`, `notes`, `status`). */
export interface FieldError {
  /** The field, as a dotted path into the request (`title`, `notes.0`; a query parameter by its name, `limit`). */
  field: string;
  /** Why the value was refused, in a sentence a form can show next to the field. */
  message: string;
}

/**
 * 422: the request is well-formed JSON but a field is missing, of the wrong type or out of
 * range. The body lists every rejected field in `errors`, and the detail names the first.
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
      extensions: { errors: errors.map(({ field, message }) => ({ field, message })) },
    });
    this.errors = errors;
  }
}

/**
 * 400: the body is not JSON (or not the JSON object the route expects), or the
 * `Content-Type` is not `application/json`.
 *
 * @example
 * ```ts
 * throw new BadRequestError("The body is not valid JSON.");
 * ```
 */
export class BadRequestError extends ApiError {
  constructor(message: string) {
    super("ERR_BAD_REQUEST", 400, "Bad request", message);
  }
}

/**
 * 415: a request body that is not `application/json` (or a `+json` type) on a route that takes
 * JSON. Refused instead of read as empty, so a form post is not mistaken for a missing field.
 *
 * @example
 * ```ts
 * throw new UnsupportedMediaTypeError();
 * ```
 */
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
 * 413: the request body is larger than the route accepts (counted as it streams in, so a lying
 * or absent `Content-Length` does not get past it).
 *
 * @example
 * ```ts
 * throw new PayloadTooLargeError(64 * 1024);
 * ```
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
 * 412: an `If-Match` precondition failed: the resource changed since the client read it
 * (RFC 9110 §13.1.1). The current `ETag` is sent back so the client can re-read and retry.
 *
 * @example
 * ```ts
 * throw new PreconditionFailedError('"7"');
 * ```
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
 * 500: an unexpected failure. The detail is one fixed sentence on purpose: an exception message
 * can carry internals (SQL, paths, secrets) that must not reach a client (OWASP ASVS V7.4.1);
 * the original error stays in `cause`, for logs, and the `requestId` ties the two together.
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
 * 405: the path exists but not for this method. RFC 9110 §15.5.6: the answer MUST carry `Allow`.
 * `/mcp` answers it to GET and DELETE: a stateless MCP server offers no server-initiated SSE
 * stream and no session to end (MCP Streamable HTTP, "Listening for Messages from the Server").
 *
 * @example
 * ```ts
 * throw new MethodNotAllowedError(["POST"]); // 405, Allow: POST
 * ```
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
 * 409: the agent session is already answering another message. One chat at a time per session
 * keeps its history in order; a second one is refused rather than queued, so no connection is
 * held open waiting for an answer that may never come.
 *
 * @example
 * ```ts
 * if (!sessions.acquire(session)) throw new SessionBusyError();
 * ```
 */
export class SessionBusyError extends ApiError {
  constructor() {
    super(
      "ERR_SESSION_BUSY",
      409,
      "Session busy",
      "This agent session is still answering a previous message. Wait for its `done` event.",
    );
  }
}

/**
 * 502: the model provider refused the agent's credentials (its 401 or 403). A server
 * misconfiguration, not the caller's: the provider's message, which can echo part of the API
 * key, stays in `cause` and is never sent or logged.
 *
 * @example
 * ```ts
 * emit({ type: "error", data: { code: error.code, message: error.message } });
 * ```
 */
export class AgentModelAuthError extends ApiError {
  constructor(cause?: unknown) {
    super(
      "ERR_AGENT_MODEL_AUTH",
      502,
      "Model provider refused the credentials",
      "The agent's model provider refused its credentials. An operator must fix OPENAI_API_KEY.",
      { cause },
    );
  }
}

/**
 * 503: the model provider rate-limited the agent (its 429) after the SDK's retries.
 *
 * @example
 * ```ts
 * if (error.status === 429) throw new AgentModelRateLimitedError(error);
 * ```
 */
export class AgentModelRateLimitedError extends ApiError {
  constructor(cause?: unknown) {
    super(
      "ERR_AGENT_MODEL_RATE_LIMITED",
      503,
      "Model provider rate limit",
      "The agent's model provider is rate-limiting requests. Try again in a minute.",
      { cause },
    );
  }
}

/**
 * 503: the model provider could not be reached, timed out or failed (5xx) after the SDK's
 * retries.
 *
 * @example
 * ```ts
 * if (error instanceof APIConnectionError) throw new AgentModelUnavailableError(error);
 * ```
 */
export class AgentModelUnavailableError extends ApiError {
  constructor(cause?: unknown) {
    super(
      "ERR_AGENT_MODEL_UNAVAILABLE",
      503,
      "Model provider unavailable",
      "The agent's model provider did not answer. Try again shortly.",
      { cause },
    );
  }
}

/**
 * 500: the agent failed for another reason (the provider refused the request, sent something
 * unreadable, or a tool failed unexpectedly). The detail is fixed; the cause is logged.
 *
 * @example
 * ```ts
 * emit({ type: "error", data: { code: "ERR_AGENT_FAILED", message: new AgentFailedError().message } });
 * ```
 */
export class AgentFailedError extends ApiError {
  constructor(cause?: unknown) {
    super(
      "ERR_AGENT_FAILED",
      500,
      "Agent failed",
      "The agent could not answer this message. Quote the request id when reporting it.",
      { cause },
    );
  }
}

/**
 * 400: a `POST /chatkit` body whose `type` is missing or names no ChatKit request this server
 * answers. Kept apart from `ERR_VALIDATION`: a client speaking a newer protocol version can
 * tell "unknown operation" from "bad parameters".
 *
 * @example
 * ```ts
 * if (!REQUEST_TYPES.includes(body.type)) throw new ChatKitUnknownRequestError(REQUEST_TYPES);
 * ```
 */
export class ChatKitUnknownRequestError extends ApiError {
  constructor(known: readonly string[]) {
    super(
      "ERR_CHATKIT_UNKNOWN_REQUEST",
      400,
      "Unknown ChatKit request",
      `The body's \`type\` must be one of: ${known.join(", ")}.`,
    );
  }
}

/**
 * 400: `attachments.create`. This server takes no uploads (the agent reads text only), so it
 * refuses to hand out an attachment id that no upload could ever fill.
 *
 * @example
 * ```ts
 * case "attachments.create": throw new ChatKitAttachmentsUnsupportedError();
 * ```
 */
export class ChatKitAttachmentsUnsupportedError extends ApiError {
  constructor() {
    super(
      "ERR_CHATKIT_ATTACHMENTS_UNSUPPORTED",
      400,
      "Attachments not supported",
      "This ChatKit server does not accept attachments. Send the message as text.",
    );
  }
}

/**
 * 409: the request does not fit the thread's current state (RFC 9110 §15.5.10): a client tool
 * output for a thread whose last item is no pending client tool call, or a retry after an item
 * that is not a user message.
 *
 * @example
 * ```ts
 * if (item.type !== "user_message") throw new ChatKitConflictError("…");
 * ```
 */
export class ChatKitConflictError extends ApiError {
  constructor(message: string) {
    super("ERR_CHATKIT_CONFLICT", 409, "Request does not fit the thread", message);
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
