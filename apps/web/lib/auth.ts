import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { createAuthMiddleware } from "better-auth/api";
import { nextCookies } from "better-auth/next-js";
import { jwt } from "better-auth/plugins/jwt";
import { memoryStore, type RateLimitStore } from "handoff-bff";
import { createAuthLimiter, limitAuthAttempts } from "./auth-limits";
import { type RevokeSession, revokeEndedSessions } from "./auth-revocation";
import type { WebConfig } from "./config";
import { authSchema, type Db } from "./db/schema";
import { betterAuthLimiterStorage } from "./stores";
import { personalWorkspace } from "./workspaces";

/**
 * Better Auth for the dashboard: email and password, sessions in an httpOnly cookie, and the
 * JWT plugin, which signs the short-lived EdDSA tokens Handoff sends to the API and serves
 * their public keys at `/api/auth/jwks`.
 *
 * @example
 * ```ts
 * const auth = createAuth(readConfig(process.env), (await openDatabase(config.database)).db);
 * const session = await auth.api.getSession({ headers: request.headers });
 * ```
 *
 * @param options What the composition root (lib/runtime.ts) shares with the rest of the app;
 * tests may leave it out.
 */
export function createAuth(config: WebConfig, db: Db, options: AuthOptions = {}) {
  const attempts = options.attempts ?? memoryStore();
  const limiter = createAuthLimiter({
    limits: config.authLimits,
    trustedProxyCount: config.trustedProxyCount,
    store: attempts,
  });
  const limit = limitAuthAttempts(limiter);
  const revokeEnded = revokeEndedSessions(config.baseURL, options.revoke ?? (async () => {}));
  return betterAuth({
    appName: "TaskFlow",
    baseURL: config.baseURL,
    basePath: "/api/auth",
    secret: config.secret,
    database: drizzleAdapter(db, { provider: "pg", schema: authSchema }),
    emailAndPassword: { enabled: true, minPasswordLength: 8, autoSignIn: true },
    // GET /api/auth/token answers the API's JWT as JSON to any same-origin script, so an XSS
    // would walk away with a bearer token. Only the server needs it (auth.api.getToken, which
    // the router's disabledPaths does not affect).
    disabledPaths: ["/token"],
    // On the HTTP endpoints and on auth.api calls (the server actions) alike: sign-in and
    // sign-up are limited per account (and per trusted address); sign-out and the
    // revoke-session endpoints drop the sessions' JWTs from every instance's cache first,
    // while the cookie and the session rows still exist.
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        await limit(ctx);
        await revokeEnded(ctx);
      }),
    },
    rateLimit: {
      // On in development too (Better Auth's default is production only): tests run against
      // the same limits users get. Its limiter keys on X-Forwarded-For, which a client of a
      // bare `next start` writes, so for sign-in and sign-up the hook above replaces it.
      enabled: true,
      customRules: { "/sign-in/*": false, "/sign-up/*": false },
      // Counted where the app's other limits are (memory, or Redis across instances). Not
      // `secondaryStorage`: that would move the sessions themselves out of the database.
      customStorage: betterAuthLimiterStorage(attempts),
    },
    advanced: sessionCookies(config.baseURL),
    telemetry: { enabled: false },
    databaseHooks: {
      user: {
        create: {
          // Every user gets a tenant: "<name>'s workspace".
          after: async (user) => {
            await personalWorkspace(db, user);
          },
        },
      },
    },
    plugins: [
      jwt({
        jwks: { keyPairConfig: { alg: "EdDSA", crv: "Ed25519" } },
        jwt: {
          issuer: config.baseURL,
          audience: config.apiAudience,
          expirationTime: "15m",
          // The API needs `sub` (added by the plugin) and `tenant_id`; nothing else of the user
          // (name, image, verification state) leaves the web app.
          definePayload: async ({ user }) => ({
            email: user.email,
            tenant_id: (await personalWorkspace(db, user)).id,
          }),
        },
        // Otherwise every GET /api/auth/get-session answers the JWT in a `set-auth-jwt` header
        // (with Access-Control-Expose-Headers), readable by any script of the page.
        disableSettingJwtHeader: true,
      }),
      // Lets server actions and route handlers set Better Auth's cookies. Must stay last.
      nextCookies(),
    ],
  });
}

/**
 * Over https, the cookies are `__Host-better-auth.*`: the `__Host-` prefix makes the browser
 * refuse any such cookie that lacks `Secure` or `Path=/` or has a `Domain`, so neither a
 * sibling subdomain nor a plain-http page of the same host can plant or shadow the session
 * (RFC 6265bis §4.1.3.2, cookie tossing). Better Auth's own https default is `__Secure-`, which
 * allows a `Domain`; its prefix is turned off here and `Secure` set explicitly (better-call
 * also forces `Secure`, `Path=/` and no `Domain` on any `__Host-` name). Over http (127.0.0.1
 * in development and tests) the names stay `better-auth.*`, without `Secure`: a plain-http
 * origin cannot set a `Secure` cookie (browsers except localhost only). Whatever the name, the session is read by the name Better Auth was given
 * (`authCookies.sessionToken.name`, which `betterAuthToken` reads too).
 */
function sessionCookies(baseURL: string) {
  if (new URL(baseURL).protocol !== "https:") return undefined;
  return {
    useSecureCookies: false,
    cookiePrefix: "__Host-better-auth",
    defaultCookieAttributes: { secure: true, path: "/" },
  };
}

/** Options of {@link createAuth}. */
export interface AuthOptions {
  /**
   * Where sign-in and sign-up attempts (lib/auth-limits.ts) and Better Auth's own limiter
   * count. @default a fresh in-memory store
   */
  readonly attempts?: RateLimitStore;
  /** Revokes an ending session's cached JWTs (`betterAuthToken(…).revoke`). @default none */
  readonly revoke?: RevokeSession;
}

export type Auth = ReturnType<typeof createAuth>;
