import { createProxy } from "handoff-bff";
import {
  type NextHandlers,
  type NextOidcHandlers,
  toNextHandlers,
  toNextOidcHandlers,
} from "handoff-bff/next";
import { createOidc, type OidcOptions } from "handoff-bff/oidc";

/** The example's routes, wired once: `/auth/*` and `/api/proxy/*`. */
interface Routes {
  auth: NextOidcHandlers;
  proxy: NextHandlers;
}

type Handler = (request: Request) => Promise<Response>;

function required(name: string): string {
  const value = process.env[name]?.trim();
  if (!value) throw new Error(`examples/oidc: ${name} is required (see examples/oidc/README.md)`);
  return value;
}

/** Session storage: sealed cookies, or Redis (sessions, refresh lock, revocation) with REDIS_URL. */
async function sessionOptions(
  secret: string,
): Promise<Pick<OidcOptions, "session" | "refresh" | "revocation">> {
  const url = process.env.REDIS_URL?.trim();
  if (!url) return { session: { secret } };
  const { createClient } = await import("redis");
  const { redisRefreshLock, redisRevocation, redisSessionStore } = await import(
    "handoff-bff/redis"
  );
  // By message only: the URL may hold a password.
  const log = (role: string) => (error: Error) =>
    console.error(`redis (${role}): ${error.message}`);
  // disableOfflineQueue: a command made while Redis is down fails at once instead of waiting.
  const client = createClient({ url, disableOfflineQueue: true }).on("error", log("client"));
  const subscriber = client.duplicate({ pingInterval: 5000 }).on("error", log("subscriber"));
  // node-redis's connect() retries for ever: give up after 5 s, so the route answers 500 rather than hang.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("Redis did not answer within 5 s")), 5000);
  });
  try {
    await Promise.race([Promise.all([client.connect(), subscriber.connect()]), deadline]);
  } catch (error) {
    for (const connection of [client, subscriber]) if (connection.isOpen) connection.destroy();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return {
    session: { secret, mode: redisSessionStore({ client }) },
    refresh: { lock: redisRefreshLock({ client }) },
    revocation: await redisRevocation({ client, subscriber }),
  };
}

async function wire(): Promise<Routes> {
  const appUrl = (process.env.APP_URL?.trim() || "http://127.0.0.1:3100").replace(/\/$/, "");
  const issuer = required("OIDC_ISSUER");
  const oidc = createOidc({
    issuer,
    clientId: required("OIDC_CLIENT_ID"),
    clientSecret: process.env.OIDC_CLIENT_SECRET || undefined,
    redirectUri: `${appUrl}/auth/callback`,
    postLogoutRedirectUri: `${appUrl}/`,
    appOrigin: appUrl,
    ...(process.env.OIDC_SCOPES?.trim()
      ? { scopes: process.env.OIDC_SCOPES.trim().split(/\s+/) }
      : {}),
    // Only honoured for a loopback issuer (the development provider): any other http one is refused.
    allowInsecureRequests: new URL(issuer).protocol === "http:",
    ...(await sessionOptions(required("SESSION_SECRET"))),
  });
  const proxy = createProxy({
    upstream: required("API_URL"),
    mount: "/api/proxy",
    token: oidc.token,
    csrf: { allowedOrigins: [appUrl] },
  });
  return { auth: toNextOidcHandlers(oidc), proxy: toNextHandlers(proxy) };
}

let routes: Promise<Routes> | undefined;

/**
 * The routes are wired at the first request, not at import: `next build` imports every route
 * module, and neither the environment nor Redis is there at build time. A failed start is retried.
 */
function wired(): Promise<Routes> {
  routes ??= wire().catch((error: unknown) => {
    routes = undefined;
    throw error;
  });
  return routes;
}

/** A `route.ts` export that serves `method` of `createOidc`'s routes. */
export const authRoute =
  (method: keyof NextOidcHandlers): Handler =>
  async (request) =>
    (await wired()).auth[method](request);

/** A `route.ts` export that serves `method` of the proxy to the API. */
export const proxyRoute =
  (method: keyof NextHandlers): Handler =>
  async (request) =>
    (await wired()).proxy[method](request);
