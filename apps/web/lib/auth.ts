import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { nextCookies } from "better-auth/next-js";
import { jwt } from "better-auth/plugins/jwt";
import type { WebConfig } from "./config";
import { authSchema, type Db } from "./db/schema";
import { personalWorkspace } from "./workspaces";

/** Sign-in and sign-up attempts allowed per IP address and minute (Better Auth's limiter). */
export const AUTH_ATTEMPTS_PER_MINUTE = 30;

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
 */
export function createAuth(config: WebConfig, db: Db) {
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
    rateLimit: {
      // On in development too (Better Auth's default is production only): tests run against
      // the same limits users get.
      enabled: true,
      customRules: {
        "/sign-in/*": { window: 60, max: AUTH_ATTEMPTS_PER_MINUTE },
        "/sign-up/*": { window: 60, max: AUTH_ATTEMPTS_PER_MINUTE },
      },
    },
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

export type Auth = ReturnType<typeof createAuth>;
