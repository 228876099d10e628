import { Hono } from "hono";
import type { Logger } from "pino";
import type { Verifier } from "./auth/index.js";
import { InternalError, isApiError, NotFoundError } from "./errors.js";
import { type AppEnv, authenticate, requestId, requestLog } from "./middleware.js";

export type { AppEnv } from "./middleware.js";

/** What the app needs from the outside world. */
export interface AppOptions {
  /** Checks the `Authorization` header; see `createVerifier`. */
  verify: Verifier;
  /** Where request lines and errors go; see `createLogger`. */
  logger: Logger;
}

/**
 * Creates the TaskFlow API as a Hono app: a `(Request) => Response` that any runtime adapter
 * serves. `GET /health` is public; everything under `/api/` needs a valid bearer token. Every
 * error, including unknown routes and unexpected exceptions, answers RFC 9457 problem+json.
 *
 * @example
 * ```ts
 * const app = createApp({ verify: createVerifier(readAuthConfig(process.env)), logger });
 * const response = await app.fetch(new Request("http://api.test/health"));
 * ```
 */
export function createApp({ verify, logger }: AppOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(requestId(), requestLog(logger));
  app.use("/api/*", authenticate(verify, logger));

  app.get("/health", (c) => c.json({ status: "ok" }));
  app.get("/api/me", (c) => {
    const { userId, tenantId, email } = c.get("principal");
    return c.json({ userId, tenantId, ...(email === undefined ? {} : { email }) });
  });

  app.notFound((c) => new NotFoundError().toResponse({ requestId: c.get("requestId") }));
  app.onError((error, c) => {
    const requestId = c.get("requestId");
    if (isApiError(error)) return error.toResponse({ requestId });
    // The message stays in the log: it may hold internals a client must not see.
    logger.error({ requestId, err: error }, "unhandled error");
    return new InternalError(error).toResponse({ requestId });
  });
  return app;
}
