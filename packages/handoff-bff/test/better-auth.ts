import { type BetterAuthOptions, betterAuth } from "better-auth";
import { memoryAdapter } from "better-auth/adapters/memory";
import { jwt } from "better-auth/plugins";
import { createLocalJWKSet, type JWTPayload, jwtVerify } from "jose";
import type { BetterAuthLike } from "../src/index.js";

const API_AUDIENCE = "https://api.taskflow.example";
const PASSWORD = "correct-horse-battery-staple";

/** One database call Better Auth made, by adapter method and model (table). */
interface DbCall {
  method: string;
  model: string;
}

/**
 * A real Better Auth instance (email + password, JWT plugin issuing EdDSA JWTs for the API)
 * on its in-memory adapter, with every adapter call recorded and `getToken` calls counted.
 * `jwtOffHttp: false` leaves Better Auth's defaults, which serve the JWT to the browser.
 */
export function makeAuth(
  options: { baseURL?: string; expirationTime?: string; jwtOffHttp?: boolean } = {},
) {
  const jwtOffHttp = options.jwtOffHttp ?? true;
  const db = { user: [], session: [], account: [], verification: [], jwks: [] };
  const dbCalls: DbCall[] = [];
  const failing = new Set<string>();
  const base = memoryAdapter(db);
  const auth = betterAuth({
    baseURL: options.baseURL ?? "http://localhost:3000",
    secret: "better-auth-test-secret-0123456789abcdef",
    database: (adapterOptions: BetterAuthOptions) => {
      const adapter = base(adapterOptions);
      // Every call is recorded; a model listed in `failing` throws, as a database that is down.
      return new Proxy(adapter, {
        get(target, property, receiver) {
          const value = Reflect.get(target, property, receiver);
          if (typeof value !== "function" || property === "transaction") return value;
          return (...args: [{ model?: string }]) => {
            const model = args[0]?.model ?? "";
            dbCalls.push({ method: String(property), model });
            if (failing.has(model)) {
              return Promise.reject(
                new Error(`connect ECONNREFUSED postgres://app:hunter2@db/${model}`),
              );
            }
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    },
    emailAndPassword: { enabled: true },
    telemetry: { enabled: false },
    logger: { disabled: true }, // the failure tests would print Better Auth's own error logs
    // What the docs advise so that the browser can never obtain the JWT: no GET /token route,
    // no `set-auth-jwt` header on get-session. `auth.api.getToken` still works in process.
    ...(jwtOffHttp ? { disabledPaths: ["/token"] } : {}),
    plugins: [
      jwt({
        ...(jwtOffHttp ? { disableSettingJwtHeader: true } : {}),
        jwt: {
          audience: API_AUDIENCE,
          ...(options.expirationTime ? { expirationTime: options.expirationTime } : {}),
          definePayload: ({ user }) => ({ email: user.email, tenant_id: `tenant_${user.name}` }),
        },
      }),
    ],
  });
  let getTokenCalls = 0;
  const counted: BetterAuthLike = {
    $context: auth.$context,
    api: {
      getToken: (context) => {
        getTokenCalls += 1;
        return auth.api.getToken(context);
      },
    },
  };
  return {
    auth,
    /** The same instance, counting `getToken` calls. */
    counted,
    get getTokenCalls() {
      return getTokenCalls;
    },
    dbCalls,
    failing,
    /** Signs a new user up; returns the session cookie (`name=value`) Better Auth set. */
    async signUp(name: string): Promise<string> {
      const response = await auth.api.signUpEmail({
        body: { email: `${name}@example.com`, password: PASSWORD, name },
        asResponse: true,
      });
      return sessionCookie(response);
    },
    /** Signs an existing user in again: a second session of the same user. */
    async signIn(name: string): Promise<string> {
      const response = await auth.api.signInEmail({
        body: { email: `${name}@example.com`, password: PASSWORD },
        asResponse: true,
      });
      return sessionCookie(response);
    },
    /** Verifies a JWT against the instance's own JWKS, as the API does. */
    async verify(token: string): Promise<JWTPayload> {
      const jwks = createLocalJWKSet(await auth.api.getJwks());
      const { payload } = await jwtVerify(token, jwks, {
        audience: API_AUDIENCE,
        algorithms: ["EdDSA"],
      });
      return payload;
    },
  };
}

function sessionCookie(response: Response): string {
  if (response.status !== 200) throw new Error(`Better Auth answered ${response.status}`);
  const cookie = response.headers
    .getSetCookie()
    .map((line) => line.split(";")[0] as string)
    .find((pair) => pair.includes("session_token="));
  if (cookie === undefined) throw new Error("no session cookie was set");
  return cookie;
}

/** A browser request to the proxy with these cookies. */
export function withCookie(cookie: string | null): Request {
  return new Request("http://localhost:3000/api/proxy/me", {
    headers: cookie === null ? {} : { cookie },
  });
}
