/**
 * Test fixture: API instances as a cluster runs them, several `createApp`s on their own sockets
 * over one database, each with its own session store and verifier (as separate processes have),
 * tokens from one issuer. Not imported by application code.
 */
import { type Brain, createBuiltinBrain, DrizzleSessionStore } from "../agent/index.js";
import { createApp } from "../app.js";
import { createVerifier } from "../auth/index.js";
import type { Database } from "../database.js";
import { createLogger } from "../log.js";
import { type RunningServer, startServer } from "../server.js";
import { createTaskFeed, type TaskFeed } from "../tasks/live/feed.js";
import { type DatabaseKind, openTestDatabase } from "./db.js";
import { authConfig, createSigningKey, sign, startJwksServer } from "./issuer.js";
import { captureLogs } from "./logs.js";

/**
 * One instance: `chat` posts to its `/v1/agent/chat`, `events` opens its
 * `/api/tasks/events` (resuming after `lastEventId` when given).
 */
interface TestInstance {
  readonly url: URL;
  chat(token: string, body: unknown): Promise<Response>;
  events(token: string, lastEventId?: string): Promise<Response>;
}

export interface TestCluster {
  readonly db: Database;
  readonly instances: readonly TestInstance[];
  token(tenant: string, user?: string): Promise<string>;
  /** Ends instance `index`'s event streams and refuses new ones, as SIGTERM does. */
  drain(index: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts one instance per brain over one fresh database of `kind`.
 *
 * @example
 * ```ts
 * const cluster = await startTestCluster("postgres", [createBuiltinBrain(), createBuiltinBrain()]);
 * const [a, b] = cluster.instances;
 * ```
 */
export async function startTestCluster(
  kind: DatabaseKind,
  brains: readonly Brain[] = [createBuiltinBrain(), createBuiltinBrain()],
): Promise<TestCluster> {
  const key = await createSigningKey("k1");
  const jwks = await startJwksServer([key]);
  const db = await openTestDatabase(kind);
  const servers: RunningServer[] = [];
  const feeds: TaskFeed[] = [];
  const close = async () => {
    await Promise.all(feeds.map((feed) => feed.close()));
    await Promise.all(servers.map((server) => server.shutdown()));
    await db.close();
    await jwks.close();
  };
  try {
    for (const brain of brains) {
      // Each instance listens on a connection of its own, as separate processes do.
      const feed = createTaskFeed({ source: db.listen(), log: db.changeLog });
      feeds.push(feed);
      await feed.start();
      const app = createApp({
        verify: createVerifier(authConfig(jwks.url)),
        logger: createLogger({ destination: captureLogs().destination }),
        store: db.store,
        brain,
        agent: { sessions: new DrizzleSessionStore(db.db) },
        feed,
      });
      servers.push(await startServer({ app, port: 0, drainTimeoutMs: 1_000 }));
    }
  } catch (error) {
    await close();
    throw error;
  }
  return {
    db,
    instances: servers.map((server) => ({
      url: server.url,
      chat: (token, body) =>
        fetch(new URL("/v1/agent/chat", server.url), {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify(body),
        }),
      events: (token, lastEventId) =>
        fetch(new URL("/api/tasks/events", server.url), {
          headers: {
            authorization: `Bearer ${token}`,
            ...(lastEventId === undefined ? {} : { "last-event-id": lastEventId }),
          },
        }),
    })),
    token: (tenant, user = `${tenant}_user`) => sign(key, { tenant_id: tenant, sub: user }),
    drain: async (index) => feeds[index]?.close(),
    close,
  };
}
