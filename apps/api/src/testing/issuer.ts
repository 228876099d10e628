/**
 * Test fixtures: a real token issuer. Key pairs made with jose, a JWKS served over HTTP on
 * 127.0.0.1 (with a request counter and failure modes), and tokens signed with `SignJWT`.
 * Not imported by application code.
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type CryptoKey,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTHeaderParameters,
  type JWTPayload,
  SignJWT,
} from "jose";
import type { AuthConfig } from "../auth/config.js";
import type { ApiError } from "../errors.js";

export const ISSUER = "https://web.taskflow.test";
export const AUDIENCE = "taskflow-api";

/** A key pair with the public JWK the issuer publishes for it. */
export interface SigningKey {
  readonly kid: string;
  readonly alg: "EdDSA" | "RS256";
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly jwk: JWK;
}

/**
 * Generates a signing key (Ed25519 by default) with its public JWK.
 *
 * @example
 * ```ts
 * const key = await createSigningKey("k1");
 * ```
 */
export async function createSigningKey(
  kid: string,
  alg: SigningKey["alg"] = "EdDSA",
): Promise<SigningKey> {
  const { privateKey, publicKey } =
    alg === "EdDSA"
      ? await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true })
      : await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
  return { kid, alg, privateKey, publicKey, jwk };
}

/** The current time in seconds, as JWT NumericDate (RFC 7519 §2); follows fake timers. */
export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/**
 * Signs a token with `key`: valid claims by default (iss, aud, sub, tenant_id, email, iat,
 * exp in 5 min), overridden by `claims`; a claim set to `undefined` is left out.
 *
 * @example
 * ```ts
 * await sign(key, { exp: nowSeconds() - 60 }); // expired
 * await sign(key, { tenant_id: undefined });   // no tenant
 * ```
 */
export async function sign(
  key: { kid: string; alg: string; privateKey: CryptoKey | Uint8Array },
  claims: Record<string, unknown> = {},
  header: Partial<JWTHeaderParameters> = {},
): Promise<string> {
  const now = nowSeconds();
  const payload: JWTPayload = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: "user_1",
    tenant_id: "tenant_a",
    email: "ada@example.test",
    iat: now,
    exp: now + 300,
  };
  for (const [name, value] of Object.entries(claims)) {
    if (value === undefined) delete payload[name];
    else payload[name] = value;
  }
  return new SignJWT(payload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT", ...header })
    .sign(key.privateKey);
}

/** What the JWKS endpoint does with a request. */
type JwksMode = "serve" | "error" | "hang" | "garbage";

/** A JWKS endpoint on 127.0.0.1 that counts the requests it gets. */
export interface JwksServer {
  readonly url: URL;
  /** Requests received so far. */
  readonly hits: number;
  /** `serve` the published keys, answer 500, never answer, or answer non-JSON. */
  mode: JwksMode;
  /** Replaces the published keys (key rotation). */
  publish(keys: readonly SigningKey[]): void;
  close(): Promise<void>;
}

/**
 * Starts a JWKS server on an ephemeral port.
 *
 * @example
 * ```ts
 * const jwks = await startJwksServer([key]);
 * afterAll(() => jwks.close());
 * ```
 */
export async function startJwksServer(keys: readonly SigningKey[]): Promise<JwksServer> {
  let published = keys;
  let hits = 0;
  const hanging = new Set<ServerResponse>();
  const state = { mode: "serve" as JwksMode };

  const server = createServer((_request, response) => {
    hits += 1;
    switch (state.mode) {
      case "serve":
        response.writeHead(200, { "content-type": "application/jwk-set+json" });
        response.end(JSON.stringify({ keys: published.map((key) => key.jwk) }));
        return;
      case "error":
        response.writeHead(500, { "content-type": "text/plain" }).end("boom");
        return;
      case "garbage":
        response.writeHead(200, { "content-type": "application/json" }).end("<html>");
        return;
      case "hang":
        hanging.add(response);
        return;
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: new URL(`http://127.0.0.1:${port}/api/auth/jwks`),
    get hits() {
      return hits;
    },
    get mode() {
      return state.mode;
    },
    set mode(mode) {
      state.mode = mode;
    },
    publish(next) {
      published = next;
    },
    close() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A URL on 127.0.0.1 where nothing listens (a port that was just freed): connection refused.
 *
 * @example
 * ```ts
 * const config = authConfig(await refusedUrl());
 * ```
 */
export async function refusedUrl(): Promise<URL> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return new URL(`http://127.0.0.1:${port}/api/auth/jwks`);
}

/**
 * The auth configuration the tests verify against.
 *
 * @example
 * ```ts
 * const verify = createVerifier(authConfig(jwks.url));
 * ```
 */
export function authConfig(jwksUrl: URL, overrides: Partial<AuthConfig> = {}): AuthConfig {
  return {
    jwksUrl,
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ["EdDSA"],
    clockSkewSeconds: 30,
    ...overrides,
  };
}

/**
 * Runs `promise` to its rejection and returns the error, failing if it resolves.
 *
 * @example
 * ```ts
 * expect((await rejection(verify("Bearer x"))).code).toBe("ERR_TOKEN_INVALID");
 * ```
 */
export async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    return error as ApiError;
  }
  throw new Error("expected a rejection, got a result");
}
