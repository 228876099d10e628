// Shared set-up of the handoff-bff/oidc tests: a provider, an upstream and app instances on
// 127.0.0.1, and a browser that signs in through them.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, expect, inject } from "vitest";
import { createProxy } from "../src/index.js";
import { toNodeListener } from "../src/node/listener.js";
import { createOidc, type Oidc, type OidcOptions } from "../src/oidc/index.js";
import { redisRefreshLock, redisRevocation, redisSessionStore } from "../src/redis/index.js";
import { startUpstream, type TestServer } from "./helpers.js";
import {
  Browser,
  CLIENT_ID,
  CLIENT_SECRET,
  startProvider,
  type TestProvider,
} from "./oidc-provider.js";
import { redisClients, uniquePrefix } from "./redis-clients.js";

export const SECRET = "oidc-session-secret-0123456789abcdef0123";

interface App {
  url: string;
  oidc: Oidc;
  server: http.Server;
}

export interface World {
  provider: TestProvider;
  upstream: TestServer;
  apps: App[];
  /** The browser's view: cookies for the first app's origin. */
  browser: Browser;
  origin: string;
}

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Tokens the upstream refuses with 401 invalid_token. */
export const refused = new Set<string>();

async function listen(): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/**
 * A provider, an upstream and `count` app instances (oidc routes under /auth, a proxy under
 * /api), all on 127.0.0.1. Every instance believes it is the first one's origin, as behind a
 * load balancer; with `mode: "redis"` they share sessions, refresh lock and revocation.
 */
export async function world(
  mode: "cookie" | "redis",
  count = 1,
  extra: Partial<OidcOptions> = {},
): Promise<World> {
  const servers = await Promise.all(Array.from({ length: count }, listen));
  const origin = servers[0]?.url as string;
  const provider = await startProvider({
    redirectUri: `${origin}/auth/callback`,
    postLogoutRedirectUri: `${origin}/signed-out`,
    backchannelLogoutUri: `${origin}/auth/backchannel-logout`,
  });
  cleanups.push(() => provider.close());
  const upstream = await startUpstream((req, res) => {
    const token = String(req.headers.authorization ?? "").replace(/^Bearer /, "");
    if (refused.has(token)) {
      res.writeHead(401, { "www-authenticate": 'Bearer error="invalid_token"' }).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true }));
  });
  cleanups.push(() => upstream.close());
  const prefix = uniquePrefix("oidc");
  const clients = redisClients(inject("redisUrl"));
  cleanups.push(() => clients.closeAll());
  const apps: App[] = [];
  for (const { server, url } of servers) {
    let shared: Partial<OidcOptions> = {};
    if (mode === "redis") {
      const client = await clients.connect();
      const revocation = await redisRevocation({
        client,
        subscriber: await clients.connect({ offlineQueue: true }),
        prefix,
      });
      cleanups.push(() => revocation.close());
      shared = {
        revocation,
        refresh: { lock: redisRefreshLock({ client, prefix }) },
      };
      shared.session = { secret: SECRET, mode: redisSessionStore({ client, prefix }) };
    }
    const oidc = createOidc({
      issuer: provider.issuer,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUri: `${origin}/auth/callback`,
      postLogoutRedirectUri: `${origin}/signed-out`,
      appOrigin: origin,
      allowInsecureRequests: true,
      session: { secret: SECRET },
      ...shared,
      ...extra,
    });
    const proxy = createProxy({ upstream: upstream.url, mount: "/api", token: oidc.token });
    server.on(
      "request",
      toNodeListener({
        handle: (request, context) =>
          new URL(request.url).pathname.startsWith("/auth/")
            ? oidc.handle(request)
            : proxy.handle(request, context),
      }),
    );
    apps.push({ url, oidc, server });
  }
  return { provider, upstream, apps, browser: new Browser(), origin };
}

/** Signs `user` in through the provider; returns where the callback sent the browser. */
export async function signIn(w: World, user = "ada", returnTo?: string): Promise<string> {
  w.provider.user = user;
  const query = returnTo === undefined ? "" : `?returnTo=${encodeURIComponent(returnTo)}`;
  const start = await w.browser.fetch(`${w.origin}/auth/login${query}`);
  expect(start.status).toBe(303);
  const callback = await w.browser.follow(
    start.headers.get("location") as string,
    `${w.origin}/auth/callback`,
  );
  const done = await w.browser.fetch(callback);
  expect(done.status).toBe(303);
  return done.headers.get("location") as string;
}

/** The browser's cookie header for the app, sent to any instance. */
export const cookieOf = (w: World) => w.browser.header(w.origin);

export async function get(w: World, path: string, app = 0, cookie = cookieOf(w)) {
  const response = await fetch(`${w.apps[app]?.url}${path}`, {
    headers: { cookie },
    redirect: "manual",
  });
  const text = await response.text();
  return { response, status: response.status, body: text ? JSON.parse(text) : null };
}

export const refreshes = (w: World) => w.provider.tokenCalls.refresh_token ?? 0;

/** Cookie mode has no store; give both instances one Redis revocation, as a cluster would. */
export async function shareRevocation(w: World) {
  const clients = redisClients(inject("redisUrl"));
  cleanups.push(() => clients.closeAll());
  const prefix = uniquePrefix("oidc-cookie");
  for (const app of w.apps) {
    const revocation = await redisRevocation({
      client: await clients.connect(),
      subscriber: await clients.connect({ offlineQueue: true }),
      prefix,
    });
    cleanups.push(() => revocation.close());
    const oidc = createOidc({
      issuer: w.provider.issuer,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUri: `${w.origin}/auth/callback`,
      appOrigin: w.origin,
      allowInsecureRequests: true,
      session: { secret: SECRET },
      revocation,
    });
    app.server.removeAllListeners("request");
    app.server.on("request", toNodeListener({ handle: (request) => oidc.handle(request) }));
    const proxy = createProxy({ upstream: w.upstream.url, mount: "/api", token: oidc.token });
    app.server.removeAllListeners("request");
    app.server.on(
      "request",
      toNodeListener({
        handle: (request, context) =>
          new URL(request.url).pathname.startsWith("/auth/")
            ? oidc.handle(request)
            : proxy.handle(request, context),
      }),
    );
    app.oidc = oidc;
  }
}

/** Waits until tokens issued with accessTtl 62 are within the 60 s skew. */
export async function forceExpiry(_w: World) {
  await new Promise((resolve) => setTimeout(resolve, 2100));
}
