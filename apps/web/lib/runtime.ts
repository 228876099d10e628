import { type Database, type DatabaseLogger, openDatabase } from "@handoff/db-kit";
import { type BetterAuthTokenSource, betterAuthToken } from "handoff-bff";
import { type Auth, createAuth } from "./auth";
import { readConfig, type WebConfig } from "./config";
import { webMigrations } from "./db/migrations";
import { connectRedis, type RedisConnections } from "./redis";
import { memoryStores, redisStores, type Stores } from "./stores";

/** What the server side of the app shares: settings, the open database, Better Auth, stores. */
export interface Runtime {
  readonly config: WebConfig;
  readonly database: Database;
  readonly auth: Auth;
  /** The JWT of a request's session, for Handoff; one cache for every route. */
  readonly token: BetterAuthTokenSource;
  /** Rate limits, revocations, ChatKit bindings: memory, or Redis with `REDIS_URL`. */
  readonly stores: Stores;
  /** The Redis connections with `REDIS_URL`, else `null`. */
  readonly redis: RedisConnections | null;
}

// Kept on globalThis: Next may load this module once per route bundle, and PGlite's directory
// lock allows one open database per process.
const KEY = Symbol.for("taskflow.web.runtime");
const store = globalThis as { [KEY]?: Promise<Runtime> };

/**
 * The runtime, started on the first request that needs it, never at import: `next build`
 * imports every route, and opening PGlite there would take the directory lock that
 * `next start` needs. A failed start (say, a locked directory) is retried on the next call.
 *
 * @example
 * ```ts
 * const { auth } = await getRuntime();
 * ```
 */
export function getRuntime(): Promise<Runtime> {
  store[KEY] ??= start().catch((error: unknown) => {
    delete store[KEY];
    throw error;
  });
  return store[KEY];
}

/** Better Auth, once the database is open. */
export async function getAuth(): Promise<Auth> {
  return (await getRuntime()).auth;
}

async function start(): Promise<Runtime> {
  const config = readConfig(process.env);
  const redis = config.redis === undefined ? null : await connectRedis(config.redis.url);
  let database: Database;
  try {
    database = await openDatabase(config.database, {
      migrations: webMigrations(),
      applicationName: "taskflow-web",
      logger: consoleLogger,
    });
  } catch (error) {
    await redis?.close();
    throw error;
  }
  closeOnExit(database, redis);
  const runtime = await composeRuntime(config, database, redis);
  await checkSigningKey(runtime.auth);
  return runtime;
}

/**
 * Wires the app together over an open database and, with `REDIS_URL`, the Redis connections:
 * the stores, Better Auth, and the token source whose cache sign-out revokes. Tests call it
 * twice over one database and one Redis to stand for two instances.
 *
 * @example
 * ```ts
 * const runtime = await composeRuntime(readConfig(process.env), database, null);
 * ```
 */
export async function composeRuntime(
  config: WebConfig,
  database: Database,
  redis: RedisConnections | null,
): Promise<Runtime> {
  const stores =
    redis === null || config.redis === undefined
      ? memoryStores()
      : await redisStores(redis, config.redis);
  // Better Auth's sign-out hook revokes through the token source, which needs Better Auth:
  // bound once both exist.
  let token: BetterAuthTokenSource | undefined;
  const auth = createAuth(config, database.db, {
    attempts: stores.auth,
    revoke: async (session) => token?.revoke(session),
  });
  // Sign-out and the revoke-session endpoints reach every instance's cache through
  // `stores.revocation`. Any other end of a session (a password change, expiry) reaches it
  // when the cached JWT is replaced: after a minute at most, not at the JWT's expiry (15 min).
  token = betterAuthToken(auth, { maxCacheSeconds: 60, revocation: stores.revocation });
  return { config, database, auth, token, stores, redis };
}

/**
 * The app has no structured logger: a PostgreSQL connection the server dropped is said on the
 * console (never the URL, which may hold a password); "database ready" is not.
 */
const consoleLogger: DatabaseLogger = {
  info() {},
  warn({ err }, message) {
    console.warn(`${message}: ${err.message}`);
  },
};

/**
 * Signs one throwaway JWT, which also creates the first signing key (so /api/auth/jwks is ready
 * before the API asks). The private keys are encrypted with BETTER_AUTH_SECRET: after the
 * secret changed, sign-in still works but no JWT can be issued, and every proxied request
 * would fail with 500. Said once, loudly, at start rather than per request.
 */
async function checkSigningKey(auth: Auth): Promise<void> {
  try {
    await auth.api.signJWT({ body: { payload: { sub: "start-up check" } } });
  } catch (error) {
    console.error(
      `JWTs for the API cannot be signed: ${(error as Error).message} ` +
        "(BETTER_AUTH_SECRET must stay the same as long as the database's jwks rows exist; " +
        "delete those rows to start over with a new key.)",
    );
  }
}

/**
 * Closes the database and Redis when the server (server.mjs, or `next start`) is told to stop;
 * it drains requests, then exits. PGlite flushes on close; a process killed outright leaves its
 * log to be replayed on the next start, like a PostgreSQL crash. The directory lock is given
 * back on close, or on exit should the server exit before the close is done (@handoff/db-kit).
 * Redis is closed on exit itself, not on the signal: requests still draining count their
 * limits there.
 */
function closeOnExit(database: Database, redis: RedisConnections | null): void {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      database.close().catch((error: unknown) => {
        console.error(`closing the database failed: ${(error as Error).message}`);
      });
    });
  }
  if (redis !== null) process.once("exit", () => redis.destroy());
}
