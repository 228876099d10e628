import { decodeJwt } from "jose";
import * as client from "openid-client";
import {
  HandoffError,
  InternalError,
  MethodNotAllowedError,
  OidcCallbackError,
  OidcProviderUnavailableError,
  OidcStateMismatchError,
  UnauthenticatedError,
} from "../errors.js";
import { parseCookieHeader } from "../lib/cookies.js";
import { type Sealer, sealer } from "../lib/seal.js";
import { activeSession, type OidcContext } from "./context.js";
import { isProviderDown, oauthError } from "./provider.js";
import { safeReturnTo } from "./return-to.js";
import { cookieAttributes, randomId } from "./sessions.js";
import { expiresAt } from "./token-source.js";
import type { OidcSession } from "./types.js";

type Route = (request: Request) => Promise<Response>;

/** The routes a browser reaches: login, callback, logout, user. */
export interface OidcRoutes {
  login: Route;
  callback: Route;
  logout: Route;
  user: Route;
}

/** How long a sign-in may take at the provider before its transaction cookie lapses. */
const TRANSACTION_SECONDS = 600;

export function oidcRoutes(context: OidcContext): OidcRoutes {
  const { resolved, options, sessions } = context;
  const txName = resolved.transactionCookie;
  const attributes = cookieAttributes(resolved.secure);
  const transactions: Sealer = sealer(resolved.secrets, `${txName} transaction`);
  const clearTransaction = `${txName}=; ${attributes}; Max-Age=0`;
  const defaultReturnTo = safeReturnTo(options.defaultReturnTo ?? "/", resolved.appOrigin);

  return {
    login: route(["GET"], async (request) => {
      const requested = new URL(request.url).searchParams.get("returnTo");
      const returnTo =
        requested === null ? defaultReturnTo : safeReturnTo(requested, resolved.appOrigin);
      const config = await context.config();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const verifier = client.randomPKCECodeVerifier();
      const location = client.buildAuthorizationUrl(config, {
        ...options.authorizationParams,
        redirect_uri: resolved.redirectUri.href,
        scope: resolved.scope,
        state,
        nonce,
        // RFC 7636 / RFC 9700 §2.1.1: PKCE with S256 even for confidential clients.
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: "S256",
      });
      const sealed = await transactions.seal(
        { state, nonce, verifier, returnTo },
        TRANSACTION_SECONDS,
      );
      return redirect(location.href, [
        `${txName}=${sealed}; ${attributes}; Max-Age=${TRANSACTION_SECONDS}`,
      ]);
    }),

    callback: route(["GET"], async (request) => {
      const url = new URL(request.url);
      const cookie = parseCookieHeader(request.headers.get("cookie")).get(txName);
      const tx = cookie === undefined ? null : await transactions.unseal(cookie);
      const state = url.searchParams.get("state");
      if (
        tx === null ||
        typeof tx.state !== "string" ||
        typeof tx.nonce !== "string" ||
        typeof tx.verifier !== "string" ||
        typeof tx.returnTo !== "string" ||
        state !== tx.state
      ) {
        throw withCookies(new OidcStateMismatchError(), [clearTransaction]);
      }
      const config = await context.config();
      // The URL the provider redirected to, as registered: behind Next.js, request.url may
      // carry an internal host.
      const current = new URL(resolved.redirectUri);
      current.search = url.search;
      let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
      try {
        tokens = await client.authorizationCodeGrant(config, current, {
          expectedState: tx.state,
          expectedNonce: tx.nonce,
          pkceCodeVerifier: tx.verifier,
          idTokenExpected: true,
        });
      } catch (error) {
        throw withCookies(
          isProviderDown(error)
            ? new OidcProviderUnavailableError(error)
            : new OidcCallbackError(oauthError(error), error),
          [clearTransaction],
        );
      }
      const claims = tokens.claims();
      if (claims === undefined || tokens.id_token === undefined) {
        throw withCookies(new OidcCallbackError("invalid_response"), [clearTransaction]);
      }
      // A new id for every sign-in (session fixation, OWASP ASVS V3.2.1); an old session of
      // this browser is ended.
      const previous = await sessions.read(request).catch(() => null);
      if (previous !== null) await sessions.end(null, previous.key);
      const now = Date.now();
      const session: OidcSession = {
        id: randomId(),
        sub: claims.sub,
        sid: typeof claims.sid === "string" ? claims.sid : undefined,
        idToken: tokens.id_token,
        accessToken: tokens.access_token,
        refreshToken: tokens.refresh_token,
        expiresAt: expiresAt(tokens.expiresIn(), now, resolved.maxAgeSeconds),
        createdAt: now,
        updatedAt: now,
      };
      const cookies = await sessions.create(request, session);
      return redirect(new URL(tx.returnTo, resolved.appOrigin).href, [
        clearTransaction,
        ...cookies,
      ]);
    }),

    logout: route(["POST"], async (request) => {
      context.csrf?.(request, resolved.appOrigin);
      const read = await sessions.read(request).catch(() => null);
      const cookies = await sessions.end(request, read?.key ?? null);
      if (read !== null) {
        // A copy of the cookie (cookie mode) is refused from now on, on every instance. A
        // revocation store that is down does not keep the browser's own cookie from clearing.
        await context.revocation.revoke(`session:${read.key}`).catch(() => {});
      }
      let location = options.postLogoutRedirectUri ?? `${resolved.appOrigin}/`;
      try {
        const config = await context.config();
        if (config.serverMetadata().end_session_endpoint !== undefined) {
          // OpenID Connect RP-Initiated Logout 1.0 §2.
          location = client.buildEndSessionUrl(config, {
            ...(read === null ? {} : { id_token_hint: read.session.idToken }),
            ...(options.postLogoutRedirectUri === undefined
              ? {}
              : { post_logout_redirect_uri: options.postLogoutRedirectUri }),
          }).href;
        }
      } catch {
        // Provider unreachable: the local session is ended all the same.
      }
      return redirect(location, cookies);
    }),

    user: route(["GET", "HEAD"], async (request) => {
      const cookies: string[] = [];
      const read = await activeSession(context, request, cookies);
      if (read === null) throw withCookies(new UnauthenticatedError(), cookies);
      const headers = new Headers({
        "cache-control": "no-store",
        "content-type": "application/json",
      });
      const body =
        request.method === "HEAD" ? null : JSON.stringify(userClaims(read.session.idToken));
      return new Response(body, { status: 200, headers });
    }),
  };
}

/** Claims of an ID token validated at sign-in (or refresh) and kept sealed since. */
function userClaims(idToken: string): Record<string, unknown> {
  // Protocol claims of the sign-in itself, of no use to the page.
  const { nonce: _nonce, at_hash: _atHash, c_hash: _cHash, ...claims } = decodeJwt(idToken);
  return claims;
}

const ERROR_COOKIES = new WeakMap<HandoffError, readonly string[]>();

/** Attaches `Set-Cookie` values to an error's answer. */
function withCookies(error: HandoffError, cookies: readonly string[]): HandoffError {
  if (cookies.length > 0) ERROR_COOKIES.set(error, cookies);
  return error;
}

/** A route: method checked, every failure answered as problem+json (never a 500 for a client fault). */
export function route(methods: readonly string[], handler: Route): Route {
  return async (request) => {
    try {
      if (!methods.includes(request.method))
        throw new MethodNotAllowedError(request.method, methods);
      return await handler(request);
    } catch (error) {
      const failure = error instanceof HandoffError ? error : new InternalError(error);
      const response = failure.toResponse();
      for (const cookie of ERROR_COOKIES.get(failure) ?? []) {
        response.headers.append("set-cookie", cookie);
      }
      return response;
    }
  };
}

function redirect(location: string, cookies: readonly string[]): Response {
  const headers = new Headers({ location, "cache-control": "no-store" });
  for (const cookie of cookies) headers.append("set-cookie", cookie);
  // 303: the browser follows with GET, whatever the method that led here (RFC 9110 §15.4.4).
  return new Response(null, { status: 303, headers });
}
