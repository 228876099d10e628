/**
 * Every failure Handoff reports has a stable `code`, one of {@link HandoffErrorCode}. Users
 * import this module as the `errors` namespace (`import { errors } from "handoff-bff"`, as jose
 * does); the root keeps `HandoffError` and `isHandoffError` only.
 *
 * Each code is listed, with its meaning and resolution, in docs/errors.md; a test keeps that
 * list, the union below and the classes in step, both ways.
 */

/** The RFC 9457 problem type URIs are relative to this base, one page per code. */
const PROBLEM_TYPE_BASE = "https://handoff.dev/errors/";

/**
 * Marks every Handoff error. `Symbol.for` gives every installed copy of the package the same
 * symbol, so an error made by one copy is recognised by another (undici's lib/core/errors.js).
 */
const BRAND = Symbol.for("handoff-bff.error");

// A leaf module, so that the browser entries can offer it without loading the classes below.
export { errorCode } from "./lib/error-code.js";

/**
 * Every code a Handoff error can carry. Match on these rather than on classes or messages.
 *
 * @example
 * ```ts
 * import { type HandoffErrorCode, isHandoffError } from "handoff-bff";
 *
 * const retryable: readonly HandoffErrorCode[] = ["ERR_UPSTREAM_TIMEOUT", "ERR_UPSTREAM_UNREACHABLE"];
 * if (isHandoffError(error) && retryable.includes(error.code)) retry();
 * ```
 */
export type HandoffErrorCode =
  | "ERR_INVALID_CONFIG"
  | "ERR_UNAUTHENTICATED"
  | "ERR_AMBIGUOUS_SESSION_COOKIE"
  | "ERR_TOKEN_SOURCE"
  | "ERR_CSRF_CROSS_SITE"
  | "ERR_CSRF_ORIGIN_MISMATCH"
  | "ERR_CSRF_HEADER_MISSING"
  | "ERR_NOT_MOUNTED"
  | "ERR_AMBIGUOUS_PATH"
  | "ERR_METHOD_NOT_ALLOWED"
  | "ERR_REQUEST_TOO_LARGE"
  | "ERR_RATE_LIMITED"
  | "ERR_REQUEST_BODY"
  | "ERR_UPSTREAM_UNREACHABLE"
  | "ERR_UPSTREAM_FAILED"
  | "ERR_UPSTREAM_ENCODING"
  | "ERR_UPSTREAM_TIMEOUT"
  | "ERR_CLIENT_ABORTED"
  | "ERR_CHATKIT_SECRET_MISMATCH"
  | "ERR_CHATKIT_INVALID_REQUEST"
  | "ERR_CHATKIT_UPSTREAM"
  | "ERR_STORE_UNAVAILABLE"
  | "ERR_REVOCATION_UNAVAILABLE"
  | "ERR_SESSION_EXPIRED"
  | "ERR_OIDC_STATE_MISMATCH"
  | "ERR_OIDC_CALLBACK_FAILED"
  | "ERR_OIDC_INVALID_RETURN_TO"
  | "ERR_OIDC_LOGOUT_TOKEN_INVALID"
  | "ERR_OIDC_PROVIDER_UNAVAILABLE"
  | "ERR_INTERNAL";

/** Options every Handoff error accepts. */
export interface HandoffErrorOptions {
  /** The underlying error, kept for logs; never rendered into a response. */
  cause?: unknown;
  /** Extra response headers, such as `Allow` on a 405 or `Retry-After` on a 429. */
  headers?: Record<string, string>;
  /**
   * Extension members of the problem body (RFC 9457 §3.2), such as `upstreamStatus`. They
   * cannot replace a standard member; put nothing secret in them.
   */
  members?: Record<string, string | number | boolean>;
}

/**
 * The base class of every Handoff error; the subclasses, one per failure, are in the `errors`
 * namespace. `instanceof HandoffError` holds for an error made by any installed copy of the
 * package (it checks a `Symbol.for` brand), so a server can catch the errors of a library that
 * bundles its own copy. Subclasses are checked by prototype as usual: match on `code` instead.
 *
 * @example
 * ```ts
 * import { cookieToken, createProxy, HandoffError } from "handoff-bff";
 *
 * try {
 *   createProxy({ upstream: "ftp://x", token: cookieToken("sid") });
 * } catch (error) {
 *   if (error instanceof HandoffError && error.code === "ERR_INVALID_CONFIG") console.error(error.message);
 * }
 * ```
 */
export class HandoffError extends Error {
  static {
    Object.defineProperty(HandoffError.prototype, BRAND, { value: true });
  }

  /**
   * Why the base class alone: a second copy of the package (a bundled dependency, a monorepo
   * with two versions) makes errors whose prototype chain is not ours, and a catch block that
   * tests `instanceof HandoffError` would let them escape unanswered. A subclass keeps the
   * ordinary check, so that `instanceof errors.RateLimitedError` never holds for another code.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // A subclass inherits this method, so `this` is whichever class `instanceof` names.
    // biome-ignore lint/complexity/noThisInStatic: the subclass, see above.
    if (this === HandoffError) return isHandoffError(value);
    // biome-ignore lint/complexity/noThisInStatic: the subclass, see above.
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }

  /** A stable, documented identifier such as `ERR_UPSTREAM_TIMEOUT`. */
  readonly code: HandoffErrorCode;
  /** The HTTP status the error is answered with. */
  readonly status: number;
  /** A short, human-readable summary of the problem type (RFC 9457 §3.1.3). */
  readonly title: string;
  /** Extra headers to send with the problem response. */
  readonly headers: Record<string, string>;
  /** Extension members rendered into the problem body (RFC 9457 §3.2). */
  readonly members: Record<string, string | number | boolean>;

  constructor(
    code: HandoffErrorCode,
    status: number,
    title: string,
    message: string,
    options: HandoffErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "HandoffError";
    this.code = code;
    this.status = status;
    this.title = title;
    this.headers = options.headers ?? {};
    this.members = options.members ?? {};
  }

  /**
   * Renders the error as an RFC 9457 `application/problem+json` response. The body holds
   * `type`, `title`, `status`, `detail`, `code`, the extension `members` and, when given,
   * `requestId`: never the `cause`, a token, a cookie or any value the upstream sent (beyond
   * `upstreamStatus`, a number).
   *
   * @example
   * ```ts
   * return new errors.UnauthenticatedError().toResponse({ requestId });
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
    headers.set("cache-control", "no-store");
    if (context.requestId !== undefined) headers.set("x-request-id", context.requestId);
    return new Response(JSON.stringify(body), { status: this.status, headers });
  }
}

/**
 * Whether `value` is a Handoff error, made by this copy of the package or by any other one
 * (it checks the `Symbol.for("handoff-bff.error")` brand, not the prototype chain). Narrows
 * `code` to {@link HandoffErrorCode}.
 *
 * @example
 * ```ts
 * import { isHandoffError } from "handoff-bff";
 *
 * if (isHandoffError(error) && error.code === "ERR_INVALID_CONFIG") return error.toResponse();
 * ```
 */
export function isHandoffError(value: unknown): value is HandoffError {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<symbol, unknown>)[BRAND] === true
  );
}

/**
 * Thrown by `createProxy` and the token sources when their options are unusable. Answered
 * (500) in one case only, which shows per request: `rateLimit.perIp` with no client address.
 */
export class InvalidConfigError extends HandoffError {
  declare readonly code: "ERR_INVALID_CONFIG";

  constructor(message: string) {
    super("ERR_INVALID_CONFIG", 500, "Invalid Handoff configuration", message);
  }
}

/** 401: the token source found no token for this request; the upstream was not contacted. */
export class UnauthenticatedError extends HandoffError {
  declare readonly code: "ERR_UNAUTHENTICATED";

  constructor() {
    super(
      "ERR_UNAUTHENTICATED",
      401,
      "Not signed in",
      "No session token was found for this request. Sign in and try again.",
    );
  }
}

/**
 * 401: the session cookie came more than once in `Cookie`. A sibling subdomain can add a
 * second one (RFC 6265 §8.6, §5.4 step 2 sends it first), so neither is trusted; the upstream
 * was not contacted.
 */
export class AmbiguousSessionCookieError extends HandoffError {
  declare readonly code: "ERR_AMBIGUOUS_SESSION_COOKIE";

  constructor() {
    super(
      "ERR_AMBIGUOUS_SESSION_COOKIE",
      401,
      "Ambiguous session cookie",
      "The request carries more than one session cookie of the same name. Clear this site's cookies and sign in again.",
    );
  }
}

/** 500: the token source threw; the upstream was not contacted. */
export class TokenSourceError extends HandoffError {
  declare readonly code: "ERR_TOKEN_SOURCE";

  constructor(cause: unknown) {
    super("ERR_TOKEN_SOURCE", 500, "Token source failed", "The session token could not be read.", {
      cause,
    });
  }
}

/** 403: `Sec-Fetch-Site` says the request comes from another site. */
export class CrossSiteRequestError extends HandoffError {
  declare readonly code: "ERR_CSRF_CROSS_SITE";

  constructor(site: string) {
    super(
      "ERR_CSRF_CROSS_SITE",
      403,
      "Cross-site request refused",
      `Requests initiated by another site are refused (Sec-Fetch-Site: ${site}).`,
    );
  }
}

/** 403: the `Origin` header names an origin that is not allowed. */
export class OriginMismatchError extends HandoffError {
  declare readonly code: "ERR_CSRF_ORIGIN_MISMATCH";

  constructor() {
    super(
      "ERR_CSRF_ORIGIN_MISMATCH",
      403,
      "Origin not allowed",
      "The request's Origin is not one of the allowed origins.",
    );
  }
}

/** 403: the required anti-CSRF request header is missing or has the wrong value. */
export class CsrfHeaderMissingError extends HandoffError {
  declare readonly code: "ERR_CSRF_HEADER_MISSING";

  constructor(name: string) {
    super(
      "ERR_CSRF_HEADER_MISSING",
      403,
      "Anti-CSRF header missing",
      `This endpoint requires the ${name} request header.`,
    );
  }
}

/** 404: the request path is not under the proxy's mount. */
export class NotMountedError extends HandoffError {
  declare readonly code: "ERR_NOT_MOUNTED";

  constructor() {
    super(
      "ERR_NOT_MOUNTED",
      404,
      "Not found",
      "The request path is not under this proxy's mount path.",
    );
  }
}

/** 400: the path could be read in more than one way, so it is refused before any upstream contact. */
export class AmbiguousPathError extends HandoffError {
  declare readonly code: "ERR_AMBIGUOUS_PATH";

  constructor(reason: string) {
    super("ERR_AMBIGUOUS_PATH", 400, "Ambiguous request path", `The request path ${reason}.`);
  }
}

/** 405: the method is not forwarded (TRACE, CONNECT and unlisted methods). */
export class MethodNotAllowedError extends HandoffError {
  declare readonly code: "ERR_METHOD_NOT_ALLOWED";

  constructor(method: string, allowed: readonly string[]) {
    super(
      "ERR_METHOD_NOT_ALLOWED",
      405,
      "Method not allowed",
      `The ${method} method is not forwarded.`,
      { headers: { allow: allowed.join(", ") } },
    );
  }
}

/** 413: the request body is larger than `maxRequestBytes`. */
export class RequestTooLargeError extends HandoffError {
  declare readonly code: "ERR_REQUEST_TOO_LARGE";

  constructor(limit: number) {
    super(
      "ERR_REQUEST_TOO_LARGE",
      413,
      "Request body too large",
      `The request body exceeds the limit of ${limit} bytes.`,
    );
  }
}

/**
 * 429: a rate limit of the proxy is used up; the upstream was not contacted. `Retry-After`
 * (RFC 9110 §10.2.3, RFC 6585 §4) gives the seconds until the window ends; `RateLimit-Policy`
 * and `RateLimit` describe the limit (draft-ietf-httpapi-ratelimit-headers-10).
 */
export class RateLimitedError extends HandoffError {
  declare readonly code: "ERR_RATE_LIMITED";

  /**
   * @param policy Which limit: `"ip"` or `"session"`.
   * @param retryAfter Whole seconds until the window ends, at least 1.
   */
  constructor(policy: string, limit: number, windowSeconds: number, retryAfter: number) {
    super(
      "ERR_RATE_LIMITED",
      429,
      "Too many requests",
      `Too many requests; retry after ${retryAfter} s.`,
      {
        headers: {
          "retry-after": String(retryAfter),
          "ratelimit-policy": `"${policy}";q=${limit};w=${Math.ceil(windowSeconds)}`,
          ratelimit: `"${policy}";r=0;t=${retryAfter}`,
        },
      },
    );
  }
}

/** 400: the client's request body failed while it was being read or forwarded. */
export class RequestBodyError extends HandoffError {
  declare readonly code: "ERR_REQUEST_BODY";

  constructor(cause: unknown) {
    super(
      "ERR_REQUEST_BODY",
      400,
      "Request body could not be read",
      "The request body ended abnormally.",
      { cause },
    );
  }
}

/** 502: no connection to the upstream could be made. */
export class UpstreamUnreachableError extends HandoffError {
  declare readonly code: "ERR_UPSTREAM_UNREACHABLE";

  constructor(cause?: unknown) {
    super(
      "ERR_UPSTREAM_UNREACHABLE",
      502,
      "Upstream unreachable",
      "The upstream service could not be reached.",
      { cause },
    );
  }
}

/** 502: the upstream connection failed before a complete response head arrived. */
export class UpstreamFailedError extends HandoffError {
  declare readonly code: "ERR_UPSTREAM_FAILED";

  constructor(cause?: unknown) {
    super("ERR_UPSTREAM_FAILED", 502, "Bad gateway", "The upstream service failed to answer.", {
      cause,
    });
  }
}

/**
 * 502: the upstream compressed its answer, though asked for `identity`, with a coding this
 * runtime cannot pass on consistently (under Next.js, or with `fetchTransport`).
 */
export class UnsupportedEncodingError extends HandoffError {
  declare readonly code: "ERR_UPSTREAM_ENCODING";

  constructor() {
    super(
      "ERR_UPSTREAM_ENCODING",
      502,
      "Unsupported upstream encoding",
      "The upstream answered with a Content-Encoding this runtime cannot pass on.",
    );
  }
}

/** 504: the upstream did not answer (headers) within `timeout.headers`. */
export class UpstreamTimeoutError extends HandoffError {
  declare readonly code: "ERR_UPSTREAM_TIMEOUT";

  constructor(ms: number) {
    super(
      "ERR_UPSTREAM_TIMEOUT",
      504,
      "Upstream timed out",
      `The upstream service did not answer within ${ms} ms.`,
    );
  }
}

/** 499: the client went away before the answer; the upstream request was aborted. */
export class ClientAbortedError extends HandoffError {
  declare readonly code: "ERR_CLIENT_ABORTED";

  constructor() {
    super(
      "ERR_CLIENT_ABORTED",
      499,
      "Client closed request",
      "The client closed the request before the answer was complete.",
    );
  }
}

/**
 * 403: a ChatKit refresh presented a client secret that this server did not issue to the
 * signed-in user (unknown, issued to another user, already exchanged, or too long expired).
 * One code for all of them, so that the answer does not tell whether a stolen secret is live.
 */
export class ChatKitSecretMismatchError extends HandoffError {
  declare readonly code: "ERR_CHATKIT_SECRET_MISMATCH";

  constructor() {
    super(
      "ERR_CHATKIT_SECRET_MISMATCH",
      403,
      "Client secret not recognised",
      "The client secret was not issued to the signed-in user by this server, or can no longer be refreshed. Start a new session.",
    );
  }
}

/** 400: a ChatKit refresh request whose body is not JSON `{ "currentClientSecret": "…" }`. */
export class ChatKitInvalidRequestError extends HandoffError {
  declare readonly code: "ERR_CHATKIT_INVALID_REQUEST";

  constructor(reason: string) {
    super("ERR_CHATKIT_INVALID_REQUEST", 400, "Invalid ChatKit request", reason);
  }
}

/**
 * 502: the ChatKit Sessions API answered an error status, or a session this library cannot
 * use. `upstreamStatus` carries the status; the upstream's body is never passed on.
 */
export class ChatKitUpstreamError extends HandoffError {
  declare readonly code: "ERR_CHATKIT_UPSTREAM";

  constructor(upstreamStatus: number, cause?: unknown) {
    super(
      "ERR_CHATKIT_UPSTREAM",
      502,
      "ChatKit session not issued",
      upstreamStatus >= 200 && upstreamStatus < 300
        ? "The ChatKit Sessions API answered a session that could not be used."
        : `The ChatKit Sessions API answered ${upstreamStatus}.`,
      { cause, members: { upstreamStatus } },
    );
  }
}

/**
 * 503: a shared store (Redis) that a rate limit counts in did not answer in time, and the store
 * fails closed (`onError: "closed"`): an uncounted request is refused rather than let through.
 * `Retry-After: 1`, as outages of a store are usually short.
 */
export class StoreUnavailableError extends HandoffError {
  declare readonly code: "ERR_STORE_UNAVAILABLE";

  constructor(cause?: unknown) {
    super(
      "ERR_STORE_UNAVAILABLE",
      503,
      "Shared store unavailable",
      "A shared store the proxy needs did not answer; try again shortly.",
      { cause, headers: { "retry-after": "1" } },
    );
  }
}

/**
 * 503: revocations from other instances cannot reach this one (its subscription is down), so a
 * cached token might belong to a revoked session: none is served until they can again.
 */
export class RevocationUnavailableError extends HandoffError {
  declare readonly code: "ERR_REVOCATION_UNAVAILABLE";

  constructor(cause?: unknown) {
    super(
      "ERR_REVOCATION_UNAVAILABLE",
      503,
      "Session revocation unavailable",
      "Signed-out sessions cannot be checked right now; try again shortly.",
      { cause, headers: { "retry-after": "1" } },
    );
  }
}

/**
 * 401: the session has ended: the provider refused its refresh token (`invalid_grant`: revoked,
 * expired or reused), or it was logged out (back-channel logout, sign-out elsewhere). The
 * session cookie is cleared with this answer; the user signs in again.
 */
export class SessionExpiredError extends HandoffError {
  declare readonly code: "ERR_SESSION_EXPIRED";
  /**
   * `Set-Cookie` values sent with the 401 (by `toResponse`), which expire the session cookie:
   * a token source that throws this error has no other way to set cookies.
   */
  readonly setCookie: readonly string[];

  constructor(cause?: unknown, setCookie: readonly string[] = []) {
    super(
      "ERR_SESSION_EXPIRED",
      401,
      "Session ended",
      "The session has ended or can no longer be renewed. Sign in again.",
      { cause },
    );
    this.setCookie = setCookie;
  }

  override toResponse(context: { requestId?: string } = {}): Response {
    const response = super.toResponse(context);
    for (const cookie of this.setCookie) response.headers.append("set-cookie", cookie);
    return response;
  }
}

/**
 * 400: an OpenID Connect callback whose `state` is missing, does not match the login
 * transaction, or arrives without one (its cookie expired or was never set): the answer may
 * have been started by someone else (RFC 6749 §10.12, login CSRF).
 */
export class OidcStateMismatchError extends HandoffError {
  declare readonly code: "ERR_OIDC_STATE_MISMATCH";

  constructor() {
    super(
      "ERR_OIDC_STATE_MISMATCH",
      400,
      "Sign-in state mismatch",
      "The sign-in answer does not belong to a sign-in started in this browser. Start again.",
    );
  }
}

/**
 * 400: the provider answered the sign-in with an error, or its answer failed validation (a
 * replayed or foreign code, a wrong PKCE verifier, an ID token whose nonce or signature is
 * wrong). `error` carries the OAuth error code when there is one.
 */
export class OidcCallbackError extends HandoffError {
  declare readonly code: "ERR_OIDC_CALLBACK_FAILED";

  constructor(error: string, cause?: unknown) {
    super(
      "ERR_OIDC_CALLBACK_FAILED",
      400,
      "Sign-in failed",
      "The identity provider's answer could not be accepted. Start the sign-in again.",
      { cause, members: { error } },
    );
  }
}

/** 400: a `returnTo` that is not a path of this app (an open redirect, CWE-601). */
export class InvalidReturnToError extends HandoffError {
  declare readonly code: "ERR_OIDC_INVALID_RETURN_TO";

  constructor() {
    super(
      "ERR_OIDC_INVALID_RETURN_TO",
      400,
      "Invalid returnTo",
      "returnTo must be a path of this application, such as /tasks.",
    );
  }
}

/**
 * 400: a back-channel logout request whose `logout_token` fails validation (OpenID Connect
 * Back-Channel Logout 1.0 §2.6), or one already used (its `jti` seen before).
 */
export class LogoutTokenInvalidError extends HandoffError {
  declare readonly code: "ERR_OIDC_LOGOUT_TOKEN_INVALID";

  constructor(reason: string, cause?: unknown) {
    super("ERR_OIDC_LOGOUT_TOKEN_INVALID", 400, "Invalid logout token", reason, { cause });
  }
}

/**
 * 503: the OpenID provider could not be reached, or answered with a server error (discovery,
 * token endpoint). `Retry-After: 1`.
 */
export class OidcProviderUnavailableError extends HandoffError {
  declare readonly code: "ERR_OIDC_PROVIDER_UNAVAILABLE";

  constructor(cause?: unknown) {
    super(
      "ERR_OIDC_PROVIDER_UNAVAILABLE",
      503,
      "Identity provider unavailable",
      "The identity provider did not answer; try again shortly.",
      { cause, headers: { "retry-after": "1" } },
    );
  }
}

/** 500: a fault in the proxy itself. The cause is logged, never answered. */
export class InternalError extends HandoffError {
  declare readonly code: "ERR_INTERNAL";

  constructor(cause: unknown) {
    super("ERR_INTERNAL", 500, "Internal proxy error", "The proxy failed unexpectedly.", {
      cause,
    });
  }
}
