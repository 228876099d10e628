import { InvalidConfigError } from "../errors.js";

/**
 * The JWS algorithms a verifier may be configured with: asymmetric ones only. RFC 8725 §2.1 and
 * §3.1: accepting `none` or an HMAC algorithm next to public keys is how "algorithm confusion"
 * forgeries work (an HS256 token keyed with the public key), so they cannot even be configured.
 */
const ACCEPTABLE_ALGORITHMS = [
  "EdDSA",
  "Ed25519",
  "ES256",
  "ES384",
  "ES512",
  "PS256",
  "PS384",
  "PS512",
  "RS256",
  "RS384",
  "RS512",
] as const;

/** One of {@link ACCEPTABLE_ALGORITHMS}. */
type AuthAlgorithm = (typeof ACCEPTABLE_ALGORITHMS)[number];

/** How bearer tokens are checked; read once at start-up by {@link readAuthConfig}. */
export interface AuthConfig {
  /** Where the issuer publishes its public keys (`AUTH_JWKS_URL`). */
  readonly jwksUrl: URL;
  /** The exact `iss` a token must carry (`AUTH_ISSUER`, RFC 7519 §4.1.1). */
  readonly issuer: string;
  /** The `aud` a token must contain (`AUTH_AUDIENCE`, RFC 7519 §4.1.3). */
  readonly audience: string;
  /**
   * The accepted `alg` values (`AUTH_ALGORITHMS`, comma-separated).
   * @default ["EdDSA"] — what Better Auth's JWT plugin signs with (Ed25519).
   */
  readonly algorithms: readonly AuthAlgorithm[];
  /**
   * Leeway for `exp` and `nbf` between our clock and the issuer's (`AUTH_CLOCK_SKEW_S`).
   * @default 30 — RFC 7519 §4.1.4 allows "some small leeway, usually no more than a few minutes".
   */
  readonly clockSkewSeconds: number;
}

/** An environment: `process.env` or any plain object of strings. */
export type Env = Readonly<Record<string, string | undefined>>;

/** More than five minutes of leeway would keep expired tokens alive for too long. */
const MAX_CLOCK_SKEW_S = 300;

/**
 * Reads and validates the auth settings, reporting every problem at once so that a bad
 * deployment fails at start-up with one clear message, not on the first request.
 *
 * - `AUTH_JWKS_URL` (required): `https:`, or `http:` to a loopback host. Keys fetched over
 *   plain HTTP from another host could be swapped in transit, and whoever swaps them can mint
 *   any token. Set `AUTH_JWKS_ALLOW_HTTP=true` for a private network you trust.
 * - `AUTH_ISSUER`, `AUTH_AUDIENCE` (required).
 * - `AUTH_ALGORITHMS` (default `EdDSA`), `AUTH_CLOCK_SKEW_S` (default 30, at most 300).
 *
 * @throws {InvalidConfigError} `ERR_INVALID_CONFIG`, naming each faulty variable.
 * @example
 * ```ts
 * const verify = createVerifier(readAuthConfig(process.env));
 * ```
 */
export function readAuthConfig(env: Env): AuthConfig {
  const problems: string[] = [];
  const required = (name: string): string => {
    const value = env[name]?.trim() ?? "";
    if (value === "") problems.push(`${name} is required.`);
    return value;
  };

  const jwksUrl = parseJwksUrl(required("AUTH_JWKS_URL"), env.AUTH_JWKS_ALLOW_HTTP, problems);
  const issuer = required("AUTH_ISSUER");
  const audience = required("AUTH_AUDIENCE");
  const algorithms = parseAlgorithms(env.AUTH_ALGORITHMS, problems);
  const clockSkewSeconds = parseSkew(env.AUTH_CLOCK_SKEW_S, problems);

  if (problems.length > 0 || jwksUrl === undefined) {
    throw new InvalidConfigError(`Invalid auth configuration: ${problems.join(" ")}`);
  }
  return { jwksUrl, issuer, audience, algorithms, clockSkewSeconds };
}

function parseJwksUrl(
  value: string,
  allowHttp: string | undefined,
  problems: string[],
): URL | undefined {
  if (value === "") return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push(`AUTH_JWKS_URL is not a URL: ${JSON.stringify(value)}.`);
    return undefined;
  }
  if (url.username !== "" || url.password !== "") {
    // Fetch refuses URLs with credentials (Fetch standard, "main fetch"), so every key fetch
    // would fail; and a secret in a URL ends up in logs.
    problems.push("AUTH_JWKS_URL must not contain credentials.");
  } else if (url.protocol === "http:") {
    if (!isLoopback(url.hostname) && !isTrue(allowHttp)) {
      problems.push(
        "AUTH_JWKS_URL must use https: (http: is accepted for localhost, or with AUTH_JWKS_ALLOW_HTTP=true).",
      );
    }
  } else if (url.protocol !== "https:") {
    problems.push(`AUTH_JWKS_URL must be an http(s) URL, not ${url.protocol}.`);
  }
  return url;
}

function isLoopback(hostname: string): boolean {
  return (
    hostname === "localhost" ||
    hostname.endsWith(".localhost") ||
    hostname === "[::1]" ||
    /^127(\.\d{1,3}){3}$/.test(hostname)
  );
}

function isTrue(value: string | undefined): boolean {
  return value !== undefined && ["1", "true", "yes"].includes(value.trim().toLowerCase());
}

function parseAlgorithms(value: string | undefined, problems: string[]): AuthAlgorithm[] {
  const names = (value ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  if (names.length === 0) return ["EdDSA"];
  const accepted: AuthAlgorithm[] = [];
  for (const name of names) {
    if (isAcceptable(name)) {
      if (!accepted.includes(name)) accepted.push(name);
    } else if (name.toLowerCase() === "none" || /^HS\d+$/i.test(name)) {
      problems.push(
        `AUTH_ALGORITHMS must not contain ${name}: only asymmetric algorithms are accepted (RFC 8725 §3.1).`,
      );
    } else {
      problems.push(
        `AUTH_ALGORITHMS contains ${JSON.stringify(name)}; accepted: ${ACCEPTABLE_ALGORITHMS.join(", ")}.`,
      );
    }
  }
  return accepted;
}

function isAcceptable(name: string): name is AuthAlgorithm {
  return (ACCEPTABLE_ALGORITHMS as readonly string[]).includes(name);
}

function parseSkew(value: string | undefined, problems: string[]): number {
  const text = value?.trim() ?? "";
  if (text === "") return 30;
  const seconds = Number(text);
  if (!/^\d+$/.test(text) || seconds > MAX_CLOCK_SKEW_S) {
    problems.push(
      `AUTH_CLOCK_SKEW_S must be a whole number of seconds from 0 to ${MAX_CLOCK_SKEW_S}, not ${JSON.stringify(value)}.`,
    );
    return 30;
  }
  return seconds;
}
