import type { MiddlewareHandler } from "hono";
import type { Logger } from "pino";
import type { Principal, Verifier } from "./auth/index.js";
import { errorCode, isApiError } from "./errors.js";

/** What the middleware puts in the Hono context for the routes. */
export interface AppEnv {
  Variables: {
    /** This request's id, echoed as `X-Request-Id` and on every log line. */
    requestId: string;
    /** The verified caller; set on every `/api/*` route. */
    principal: Principal;
  };
}

/**
 * A client-supplied id is kept only if it is short and plain: it is echoed into a header and
 * into logs, so anything else could split a header or forge a log field (CWE-117).
 */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Keeps a well-formed incoming `X-Request-Id` (so one id follows a request through Handoff and
 * here) or generates one, stores it as `requestId` and echoes it on the response.
 *
 * @example
 * ```ts
 * app.use(requestId());
 * ```
 */
export function requestId(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = c.req.header("x-request-id");
    const id = incoming !== undefined && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    c.set("requestId", id);
    await next();
    c.header("x-request-id", id);
  };
}

/**
 * Writes one line per request: method, path (without the query, which may carry personal data),
 * status, duration and request id. For a stream, the duration is the time to the headers.
 *
 * @example
 * ```ts
 * app.use(requestId(), requestLog(logger));
 * ```
 */
export function requestLog(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    logger.info(
      {
        req: { method: c.req.method, path: c.req.path },
        status: c.res.status,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        requestId: c.get("requestId"),
      },
      "request",
    );
  };
}

/**
 * Cache-Control of an authenticated answer that carries tenant data: `private` keeps it out of
 * shared caches, so a proxy never serves one caller's tasks to another (RFC 9111 §5.2.2.7), and
 * `no-cache` makes a browser ask again before each reuse (§5.2.2.4), cheap where an ETag lets
 * the API answer 304.
 */
export const PRIVATE_NO_CACHE = "private, no-cache";

/**
 * Gives every answer behind it that sets no `Cache-Control` of its own {@link PRIVATE_NO_CACHE}.
 * Registered before `authenticate`, it sees every answer of the routes it guards; problem+json
 * errors already say `no-store` and event streams `no-cache, no-transform`, and keep it.
 *
 * @example
 * ```ts
 * app.use("/api/*", privateAnswers(), authenticate(verify, logger));
 * ```
 */
export function privateAnswers(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    if (!c.res.headers.has("cache-control")) c.res.headers.set("cache-control", PRIVATE_NO_CACHE);
  };
}

/**
 * Verifies the bearer token and stores the caller as `principal`; answers the verifier's API
 * error (401, 403 or 503) otherwise. Why a token was refused is logged, never answered.
 *
 * @example
 * ```ts
 * app.use("/api/*", authenticate(verify, logger));
 * app.get("/api/me", (c) => c.json(c.get("principal").userId));
 * ```
 */
export function authenticate(verify: Verifier, logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const requestId = c.get("requestId");
    try {
      c.set("principal", await verify(c.req.header("authorization")));
    } catch (error) {
      if (!isApiError(error)) throw error;
      logger.warn({ requestId, code: error.code, reason: describe(error.cause) }, "auth refused");
      return error.toResponse({ requestId });
    }
    await next();
  };
}

/** A cause as code and message only: the whole error could carry the token's claims. */
function describe(cause: unknown): string | undefined {
  if (cause === undefined) return undefined;
  const message = cause instanceof Error ? cause.message : String(cause);
  const code = errorCode(cause);
  return code === undefined ? message : `${code}: ${message}`;
}
