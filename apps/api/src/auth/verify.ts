import { type JWTPayload, type JWTVerifyOptions, jwtVerify } from "jose";
import { errorCode, TenantMissingError, TokenInvalidError } from "../errors.js";
import type { AuthConfig } from "./config.js";
import { bearerToken } from "./header.js";
import { createKeySet, type KeySetOptions } from "./jwks.js";

/** Who is calling, as the verified token says. */
export interface Principal {
  /** The `sub` claim (RFC 7519 §4.1.2). */
  readonly userId: string;
  /** The `tenant_id` claim: every query is scoped by it. */
  readonly tenantId: string;
  /** The `email` claim, when the token carries one. */
  readonly email?: string;
  /** Every claim of the verified token. */
  readonly claims: Readonly<JWTPayload>;
}

/**
 * Checks an `Authorization` header value and answers the caller, or throws an API error:
 * `ERR_TOKEN_MISSING` (401), `ERR_TOKEN_INVALID` (401), `ERR_TENANT_MISSING` (403) or
 * `ERR_AUTH_UNAVAILABLE` (503).
 */
export type Verifier = (authorization: string | null | undefined) => Promise<Principal>;

/** Tuning that does not come from the environment. */
export interface VerifierOptions {
  /** How the JWKS is fetched and cached; the defaults suit production. */
  jwks?: KeySetOptions;
}

/**
 * Creates the bearer-JWT verifier. It checks, in jose's order: the header's `alg` against
 * `config.algorithms` (before any key is looked up, so `none` and HMAC-with-the-public-key
 * forgeries are refused outright: RFC 8725 §2.1, §3.1), the key by `kid` in the JWKS, the
 * signature, then `iss`, `aud` (RFC 8725 §3.9: a token for another service must not work here),
 * `exp` and `nbf` with `config.clockSkewSeconds` of leeway (RFC 7519 §4.1.4, §4.1.5). A token
 * without `sub` or `exp` is refused: one that never expires cannot be revoked by time.
 *
 * @example
 * ```ts
 * const verify = createVerifier(readAuthConfig(process.env));
 * const principal = await verify(request.headers.get("authorization"));
 * principal.tenantId; // scope every query by it
 * ```
 */
export function createVerifier(config: AuthConfig, options: VerifierOptions = {}): Verifier {
  const keys = createKeySet(config.jwksUrl, options.jwks);
  const checks: JWTVerifyOptions = {
    algorithms: [...config.algorithms],
    issuer: config.issuer,
    audience: config.audience,
    clockTolerance: config.clockSkewSeconds,
    requiredClaims: ["sub", "exp"],
  };

  return async (authorization) => {
    const token = bearerToken(authorization);
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, keys, checks));
    } catch (error) {
      if (errorCode(error) === "ERR_AUTH_UNAVAILABLE") throw error;
      throw new TokenInvalidError(error);
    }

    const { sub, tenant_id: tenantId, email } = claims;
    if (typeof sub !== "string" || sub.trim() === "") {
      throw new TokenInvalidError(new Error('The "sub" claim is not a non-empty string.'));
    }
    if (typeof tenantId !== "string" || tenantId.trim() === "") throw new TenantMissingError();
    return {
      userId: sub,
      tenantId,
      ...(typeof email === "string" ? { email } : {}),
      claims,
    };
  };
}
