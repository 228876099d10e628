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
  constructor() {
    super("ERR_NOT_FOUND", 404, "Not found", "No resource answers this method and path.");
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
