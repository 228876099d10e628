import * as client from "openid-client";
import { OidcProviderUnavailableError } from "../errors.js";
import type { OidcOptions, ResolvedOidcOptions } from "./options.js";

/** Resolves the provider's configuration, discovered once (retried after a failure). */
export type ProviderConfig = () => Promise<client.Configuration>;

/**
 * Discovery with openid-client (`/.well-known/openid-configuration`, issuer checked against
 * the metadata's), lazily on first use so that an app starts while its provider is down.
 */
export function providerConfig(
  options: OidcOptions,
  resolved: ResolvedOidcOptions,
): ProviderConfig {
  const secret = options.clientSecret;
  const authentication =
    secret === undefined
      ? client.None()
      : options.clientAuthentication === "client_secret_post"
        ? client.ClientSecretPost(secret)
        : client.ClientSecretBasic(secret);
  let pending: Promise<client.Configuration> | undefined;
  return () => {
    pending ??= client
      .discovery(resolved.issuer, options.clientId, undefined, authentication, {
        // Only reachable for a loopback issuer: resolveOidcOptions refuses any other http one.
        ...(options.allowInsecureRequests === true
          ? { execute: [client.allowInsecureRequests] }
          : {}),
      })
      .catch((error: unknown) => {
        pending = undefined;
        throw new OidcProviderUnavailableError(error);
      });
    return pending;
  };
}

/** openid-client's failures that mean "the provider is down", rather than "it said no". */
export function isProviderDown(error: unknown): boolean {
  if (error instanceof client.ResponseBodyError) return error.status >= 500;
  if (error instanceof client.ClientError) {
    return (
      error.code === "OAUTH_RESPONSE_IS_NOT_CONFORM" || error.code === "OAUTH_RESPONSE_IS_NOT_JSON"
    );
  }
  const name = (error as { name?: unknown } | null)?.name;
  return error instanceof TypeError || name === "AbortError" || name === "TimeoutError";
}

/** The OAuth `error` code of a provider's refusal, such as `invalid_grant`. */
export function oauthError(error: unknown): string {
  if (
    error instanceof client.ResponseBodyError ||
    error instanceof client.AuthorizationResponseError
  ) {
    return error.error;
  }
  return "invalid_response";
}
