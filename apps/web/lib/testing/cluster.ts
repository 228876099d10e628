import { createServer, type Server } from "node:http";
import { type Database, openDatabase } from "@handoff/db-kit";
import { createProxy, type HandoffProxy } from "handoff-bff";
import { readConfig } from "../config";
import { webMigrations } from "../db/migrations";
import { connectRedis } from "../redis";
import { composeRuntime, type Runtime } from "../runtime";
import { ORIGIN } from "./auth";

/** One instance of the app: its runtime (own Redis connections) and a proxy like the routes'. */
export interface Instance {
  readonly runtime: Runtime;
  readonly proxy: HandoffProxy;
  /** `GET /api/proxy/whoami` with the cookie, as the browser sends it. */
  get(cookie: string): Promise<Response>;
}

/**
 * Instances of the app in one process, as a cluster runs them: one PGlite, one Redis, one
 * upstream (answers 200 to every request that carries a bearer token), and per instance its
 * own Redis connections, stores, Better Auth and JWT cache. `env` adds to the environment.
 */
export async function startCluster(redisUrl: string, env: Record<string, string> = {}) {
  const config = readConfig({
    BETTER_AUTH_SECRET: "test-secret-".padEnd(40, "x"),
    BETTER_AUTH_URL: ORIGIN,
    REDIS_URL: redisUrl,
    ...env,
  });
  const database: Database = await openDatabase(
    { kind: "pglite", dataDir: null },
    { migrations: webMigrations() },
  );
  const upstream = await startUpstream();
  const instances: Instance[] = [];
  const start = async (): Promise<Instance> => {
    const runtime = await composeRuntime(config, database, await connectRedis(redisUrl));
    // The first signing key, before two instances race to create one.
    await runtime.auth.api.signJWT({ body: { payload: { sub: "start-up check" } } });
    const proxy = createProxy({
      upstream: upstream.url,
      mount: "/api/proxy",
      token: runtime.token,
      rateLimit: { perSession: { limit: 40, windowSeconds: 60 }, store: runtime.stores.proxy },
    });
    const instance: Instance = {
      runtime,
      proxy,
      get: (cookie) =>
        proxy.handle(
          new Request(`${ORIGIN}/api/proxy/whoami`, {
            headers: { cookie, "sec-fetch-site": "same-origin" },
          }),
        ),
    };
    instances.push(instance);
    return instance;
  };
  return {
    config,
    start,
    async close() {
      await Promise.all(instances.map(({ runtime }) => runtime.redis?.close()));
      await new Promise((resolve) => upstream.server.close(resolve));
      await database.close();
    },
  };
}

async function startUpstream(): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const bearer = /^Bearer \S+$/.test(request.headers.authorization ?? "");
    response.writeHead(bearer ? 200 : 401, { "content-type": "application/json" });
    response.end(JSON.stringify({ bearer }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, server };
}

/** Polls `check` every 20 ms until it holds; rejects after `timeoutMs`. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 1000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
