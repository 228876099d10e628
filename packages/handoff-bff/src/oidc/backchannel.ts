import { createRemoteJWKSet, type JWTPayload, jwtVerify } from "jose";
import { LogoutTokenInvalidError, OidcProviderUnavailableError } from "../errors.js";
import { setBounded } from "../lib/bounded-map.js";
import type { OidcContext } from "./context.js";
import { revocationKey } from "./revocation.js";
import { route } from "./routes.js";

/** OpenID Connect Back-Channel Logout 1.0 §2.4: the event a logout token must carry. */
const LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout";
/** A logout token is a few hundred bytes; a body far larger is not one. */
const MAX_BODY = 64 * 1024;
/** How long a logout token is accepted after its `iat`, and its `jti` remembered. */
const MAX_AGE_SECONDS = 300;
const CLOCK_TOLERANCE = 30;

/**
 * The back-channel logout route (POST `logout_token`, form-encoded, from the provider), per
 * OpenID Connect Back-Channel Logout 1.0 §2.6: the token's signature is checked against the
 * issuer's JWKS, with the algorithm the client's ID tokens use; `iss`, `aud` (this client),
 * `iat` (at most 5 minutes old), `jti`, the back-channel-logout event, `sub` or `sid`, and no
 * `nonce`. A `jti` already seen is refused (§2.6 step 8, replay), across instances when the
 * revocation store is shared. The sessions named by `sid` (or, without one, every session of
 * `sub`) are then revoked on every instance that shares the store. Answers 200, or 400
 * `ERR_OIDC_LOGOUT_TOKEN_INVALID` (§2.8); no CSRF check: the caller is the provider, not a browser.
 */
export function backchannelLogoutRoute(context: OidcContext) {
  const { options } = context;
  const seen = new Map<string, number>();
  let jwks: { uri: string; set: ReturnType<typeof createRemoteJWKSet> } | undefined;

  return route(["POST"], async (request) => {
    const type = request.headers.get("content-type") ?? "";
    const length = Number(request.headers.get("content-length") ?? "0");
    if (!type.toLowerCase().startsWith("application/x-www-form-urlencoded") || length > MAX_BODY) {
      throw new LogoutTokenInvalidError("Expected a form-encoded logout_token.");
    }
    const body = await request.text();
    if (body.length > MAX_BODY) throw new LogoutTokenInvalidError("The request body is too large.");
    const token = new URLSearchParams(body).get("logout_token");
    if (token === null || token === "") {
      throw new LogoutTokenInvalidError("The logout_token parameter is missing.");
    }
    const config = await context.config();
    const metadata = config.serverMetadata();
    if (metadata.jwks_uri === undefined) {
      throw new OidcProviderUnavailableError(new Error("the provider publishes no jwks_uri"));
    }
    if (jwks?.uri !== metadata.jwks_uri) {
      jwks = { uri: metadata.jwks_uri, set: createRemoteJWKSet(new URL(metadata.jwks_uri)) };
    }
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, jwks.set, {
        issuer: metadata.issuer,
        audience: options.clientId,
        algorithms: logoutTokenAlgorithms(
          config.clientMetadata().id_token_signed_response_alg,
          metadata.id_token_signing_alg_values_supported,
        ),
        requiredClaims: ["iat", "jti", "events"],
        maxTokenAge: MAX_AGE_SECONDS,
        clockTolerance: CLOCK_TOLERANCE,
      }));
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (code === "ERR_JWKS_TIMEOUT" || error instanceof TypeError) {
        throw new OidcProviderUnavailableError(error);
      }
      throw new LogoutTokenInvalidError(
        "The logout token's signature or claims are invalid.",
        error,
      );
    }
    const events = claims.events as Record<string, unknown> | undefined;
    const event = typeof events === "object" && events !== null ? events[LOGOUT_EVENT] : undefined;
    if (typeof event !== "object" || event === null || Array.isArray(event)) {
      throw new LogoutTokenInvalidError("The logout token lacks the back-channel logout event.");
    }
    const sid = typeof claims.sid === "string" && claims.sid !== "" ? claims.sid : undefined;
    const sub = typeof claims.sub === "string" && claims.sub !== "" ? claims.sub : undefined;
    if (sid === undefined && sub === undefined) {
      throw new LogoutTokenInvalidError("The logout token names neither sid nor sub.");
    }
    // §2.4: a nonce would make it acceptable as an ID token; it must not have one.
    if ("nonce" in claims)
      throw new LogoutTokenInvalidError("A logout token must not have a nonce.");
    const jti = await revocationKey("jti", `${claims.iss} ${claims.jti}`);
    const now = Date.now();
    if (seen.has(jti)) throw new LogoutTokenInvalidError("This logout token was already used.");
    setBounded(seen, jti, now + MAX_AGE_SECONDS * 1000, {
      max: 10_000,
      now,
      expiresAt: (until) => until,
    });
    // Another instance may have taken it: the shared store remembers every jti it announced.
    if (await context.revocation.wasRevoked(jti)) {
      throw new LogoutTokenInvalidError("This logout token was already used.");
    }
    await context.revocation.revoke(jti);
    await context.revocation.revoke(
      sid === undefined
        ? await revocationKey("sub", sub as string)
        : await revocationKey("sid", sid),
    );
    return new Response(null, { status: 200, headers: { "cache-control": "no-store" } });
  });
}

/**
 * A logout token is signed as the provider signs ID tokens (Back-Channel Logout §2.6 step 3):
 * the client's registered `id_token_signed_response_alg`, else what the provider advertises
 * (`id_token_signing_alg_values_supported`, OpenID Connect Discovery §3), less `none` and the
 * HMAC algorithms, whose key would be the client secret; else RS256, the default (Core §3.1.3.7).
 */
export function logoutTokenAlgorithms(
  registered: string | undefined,
  advertised: readonly string[] | undefined,
): string[] {
  if (registered !== undefined) return [registered];
  const asymmetric = (advertised ?? []).filter((alg) => alg !== "none" && !alg.startsWith("HS"));
  return asymmetric.length > 0 ? asymmetric : ["RS256"];
}
