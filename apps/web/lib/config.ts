import { type DatabaseConfig, readDatabaseConfig } from "@handoff/db-kit";

/** The web app's settings, read from the environment on the first request (never at build). */
export interface WebConfig {
  /** `BETTER_AUTH_SECRET`: signs session cookies, encrypts the JWT signing keys. */
  readonly secret: string;
  /** `BETTER_AUTH_URL`: the app's public origin; also the JWT's `iss`. */
  readonly baseURL: string;
  /** `API_AUDIENCE`: the JWT's `aud`, which the API checks (`AUTH_AUDIENCE`). */
  readonly apiAudience: string;
  readonly database: DatabaseConfig;
  /**
   * `TRUSTED_PROXY_COUNT`: how many reverse proxies, each appending to `X-Forwarded-For`, stand
   * in front of the app. 0 (`next start` exposed directly): no client address is trusted.
   */
  readonly trustedProxyCount: number;
  /** Sign-in and sign-up limits: see lib/auth-limits.ts. */
  readonly authLimits: AuthLimitsConfig;
  /** `REDIS_URL` and `RATE_LIMIT_FAIL`; absent without `REDIS_URL` (one process, memory). */
  readonly redis?: RedisConfig;
}

/** Where the shared state of several instances lives (lib/stores.ts). */
export interface RedisConfig {
  /** `REDIS_URL`: `redis://` or `rediss://` (TLS). May hold a password: never logged. */
  readonly url: string;
  /**
   * `RATE_LIMIT_FAIL`: what a rate-limited request meets while Redis does not answer.
   * `closed` (the default) refuses it with 503 `ERR_STORE_UNAVAILABLE`; `open` lets it pass
   * uncounted. Closed, because a limit that lifts whenever Redis is down is no limit against
   * whoever can take it down.
   */
  readonly rateLimitFail: "closed" | "open";
}

/** Attempts allowed per window; the next one is answered 429 `ERR_RATE_LIMITED`. */
export interface AttemptRule {
  readonly limit: number;
  readonly windowSeconds: number;
}

/** `AUTH_RATE_LIMIT_PER_ACCOUNT` (per 15 minutes) and `AUTH_RATE_LIMIT_PER_IP` (per minute). */
export interface AuthLimitsConfig {
  readonly perAccount: AttemptRule;
  readonly perIp: AttemptRule;
}

type Env = Readonly<Record<string, string | undefined>>;

const DEFAULT_BASE_URL = "http://127.0.0.1:3000";
export const DEFAULT_API_URL = "http://127.0.0.1:8000";
const DEFAULT_API_AUDIENCE = "taskflow-api";
const DEFAULT_DATA_DIR = ".data/web";
/**
 * Per account (the normalised email): 10 attempts per 15 minutes, OWASP's advice for a
 * lockout threshold that stops online guessing without bothering people who mistype.
 */
export const DEFAULT_AUTH_LIMITS: AuthLimitsConfig = {
  perAccount: { limit: 10, windowSeconds: 15 * 60 },
  perIp: { limit: 30, windowSeconds: 60 },
};

/**
 * Outside production a missing secret falls back to this fixed, public value, so `next dev`
 * works on a fresh clone; production refuses it. It is fixed rather than random so that the
 * encrypted signing keys stay readable across restarts.
 */
const DEV_SECRET = "taskflow-web-development-secret-not-for-production";

/** Better Auth's own advice: 32 characters or more of randomness. */
const MIN_SECRET_LENGTH = 32;

/**
 * Reads the web app's environment. Every problem is collected into one message that names the
 * variables at fault and never repeats a secret or a database URL.
 *
 * @example
 * ```ts
 * const config = readConfig(process.env);
 * ```
 */
export function readConfig(env: Env, cwd: string = process.cwd()): WebConfig {
  const problems: string[] = [];
  const production = env.NODE_ENV === "production";

  let secret = env.BETTER_AUTH_SECRET?.trim() ?? "";
  if (secret === "") {
    if (production) {
      problems.push(
        "BETTER_AUTH_SECRET is not set: generate one with `openssl rand -base64 32` (npm start writes one to .data/dev-secrets.json)",
      );
    }
    secret = DEV_SECRET;
  } else if (production && secret.length < MIN_SECRET_LENGTH) {
    problems.push(`BETTER_AUTH_SECRET must be at least ${MIN_SECRET_LENGTH} characters long`);
  }

  const baseURL = httpURL(
    env.BETTER_AUTH_URL,
    DEFAULT_BASE_URL,
    "BETTER_AUTH_URL",
    problems,
  ).origin;
  const apiAudience = env.API_AUDIENCE?.trim() || DEFAULT_API_AUDIENCE;

  let database: DatabaseConfig = { kind: "pglite", dataDir: null };
  try {
    database = readDatabaseConfig(env, { defaultDataDir: DEFAULT_DATA_DIR, cwd });
  } catch (error) {
    // The kit's message names DATABASE_URL and never repeats its value.
    if ((error as { code?: unknown }).code !== "ERR_INVALID_CONFIG") throw error;
    problems.push((error as Error).message);
  }

  const trustedProxyCount = count(env, "TRUSTED_PROXY_COUNT", 0, 0, problems);
  const authLimits: AuthLimitsConfig = {
    perAccount: {
      ...DEFAULT_AUTH_LIMITS.perAccount,
      limit: count(
        env,
        "AUTH_RATE_LIMIT_PER_ACCOUNT",
        DEFAULT_AUTH_LIMITS.perAccount.limit,
        1,
        problems,
      ),
    },
    perIp: {
      ...DEFAULT_AUTH_LIMITS.perIp,
      limit: count(env, "AUTH_RATE_LIMIT_PER_IP", DEFAULT_AUTH_LIMITS.perIp.limit, 1, problems),
    },
  };

  const redis = readRedisConfig(env, problems);

  if (problems.length > 0) {
    throw new Error(`Invalid web app configuration:\n- ${problems.join("\n- ")}`);
  }
  return { secret, baseURL, apiAudience, database, trustedProxyCount, authLimits, redis };
}

/** `REDIS_URL` and `RATE_LIMIT_FAIL`; a problem never repeats the URL (it may hold a password). */
function readRedisConfig(env: Env, problems: string[]): RedisConfig | undefined {
  const fail = env.RATE_LIMIT_FAIL?.trim() || "closed";
  if (fail !== "closed" && fail !== "open") {
    problems.push(`RATE_LIMIT_FAIL must be "closed" or "open"`);
  }
  const url = env.REDIS_URL?.trim() ?? "";
  if (url === "") return undefined;
  const parsed = URL.canParse(url) ? new URL(url) : null;
  if (parsed === null || (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:")) {
    problems.push("REDIS_URL must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379");
    return undefined;
  }
  return { url, rateLimitFail: fail === "open" ? "open" : "closed" };
}

/**
 * `TRUSTED_PROXY_COUNT`, also read on its own where a route module loads (lib/handoff.ts).
 *
 * @example
 * ```ts
 * trustedProxyCount({ TRUSTED_PROXY_COUNT: "1" }); // 1
 * ```
 */
export function trustedProxyCount(env: Env): number {
  const problems: string[] = [];
  const value = count(env, "TRUSTED_PROXY_COUNT", 0, 0, problems);
  if (problems.length > 0) throw new Error(`Invalid web app configuration:\n- ${problems[0]}`);
  return value;
}

/** A whole number ≥ `min` from `env[name]`, or `fallback` when unset; a bad value is a problem. */
function count(env: Env, name: string, fallback: number, min: number, problems: string[]): number {
  const text = env[name]?.trim() ?? "";
  if (text === "") return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min) {
    problems.push(
      `${name} must be a whole number ≥ ${min} (got ${JSON.stringify(text.slice(0, 20))})`,
    );
    return fallback;
  }
  return value;
}

function httpURL(value: string | undefined, fallback: string, name: string, problems: string[]) {
  const text = value?.trim() || fallback;
  const url = URL.canParse(text) ? new URL(text) : null;
  if (url === null || (url.protocol !== "http:" && url.protocol !== "https:")) {
    problems.push(`${name} must be an http(s) URL such as ${fallback}`);
    return new URL(fallback);
  }
  return url;
}
