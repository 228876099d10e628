import { csrfCheck } from "../csrf/check.js";
import { NotMountedError } from "../errors.js";
import { memoryRevocation } from "../revocation/memory-revocation.js";
import { backchannelLogoutRoute } from "./backchannel.js";
import type { OidcContext } from "./context.js";
import { type OidcOptions, resolveOidcOptions } from "./options.js";
import { providerConfig } from "./provider.js";
import { sessionRevocation } from "./revocation.js";
import { oidcRoutes } from "./routes.js";
import { createSessions } from "./sessions.js";
import { type OidcTokenSource, oidcTokenSource } from "./token-source.js";

type Route = (request: Request) => Promise<Response>;

/** What {@link createOidc} returns: the routes, one dispatcher over them, and the token source. */
export interface Oidc {
  /**
   * Serves every route by the last segment of the path: `GET …/login`, `GET …/callback`,
   * `POST …/logout`, `POST …/backchannel-logout`, `GET …/user`; anything else is 404.
   */
  handle: Route;
  /** `GET ?returnTo=/path`: starts the sign-in (code flow, PKCE S256, state, nonce). */
  login: Route;
  /** `GET`: the provider's redirect back; creates the session and redirects to `returnTo`. */
  callback: Route;
  /** `POST`, CSRF-checked: ends the session and redirects to the provider's end-session endpoint. */
  logout: Route;
  /** `POST logout_token`: OpenID Connect Back-Channel Logout, from the provider. */
  backchannelLogout: Route;
  /** `GET`: the ID token's claims as JSON (never a token); 401 when signed out. */
  user: Route;
  /** For `createProxy({ token: oidc.token })`: the session's access token, refreshed as needed. */
  token: OidcTokenSource;
}

/**
 * Handoff as an OpenID Connect backend-for-frontend: sign-in with the authorization code flow
 * and PKCE (openid-client v6 does the protocol), sessions sealed in an httpOnly cookie or kept in
 * a store, access tokens refreshed once per session, RP-initiated and back-channel logout.
 * Fetch API only: every route is `(Request) => Promise<Response>`.
 *
 * @throws InvalidConfigError (`ERR_INVALID_CONFIG`) when the options are unusable.
 * @example
 * ```ts
 * // lib/oidc.ts
 * import { createProxy } from "handoff-bff";
 * import { createOidc } from "handoff-bff/oidc";
 *
 * export const oidc = createOidc({
 *   issuer: process.env.OIDC_ISSUER!,
 *   clientId: process.env.OIDC_CLIENT_ID!,
 *   clientSecret: process.env.OIDC_CLIENT_SECRET,
 *   redirectUri: `${process.env.APP_URL}/auth/callback`,
 *   postLogoutRedirectUri: `${process.env.APP_URL}/`,
 *   appOrigin: process.env.APP_URL!,
 *   session: { secret: process.env.SESSION_SECRET! },
 * });
 * export const proxy = createProxy({ upstream: process.env.API_URL!, mount: "/api/proxy", token: oidc.token });
 *
 * // app/auth/[action]/route.ts
 * export const { GET, POST } = toNextOidcHandlers(oidc); // from "handoff-bff/next"
 * ```
 */
export function createOidc(options: OidcOptions): Oidc {
  const resolved = resolveOidcOptions(options);
  const context: OidcContext = {
    options,
    resolved,
    config: providerConfig(options, resolved),
    sessions: createSessions(resolved),
    revocation: sessionRevocation(options.revocation ?? memoryRevocation()),
    csrf: csrfCheck(options.csrf ?? {}),
  };
  const routes = oidcRoutes(context);
  const backchannelLogout = backchannelLogoutRoute(context);
  const byName: Record<string, Route> = {
    login: routes.login,
    callback: routes.callback,
    logout: routes.logout,
    "backchannel-logout": backchannelLogout,
    user: routes.user,
  };
  const notFound: Route = async () => new NotMountedError().toResponse();
  const handle: Route = (request) => {
    const name = new URL(request.url).pathname.replace(/\/+$/, "").split("/").pop() ?? "";
    return (Object.hasOwn(byName, name) ? (byName[name] as Route) : notFound)(request);
  };
  return { handle, ...routes, backchannelLogout, token: oidcTokenSource(context) };
}
