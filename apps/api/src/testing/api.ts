/**
 * Test fixture: the whole API on a real socket, with a real JWKS server, a fresh database of the
 * chosen kind and captured logs; `as(tenant, user)` gives a client whose requests carry a valid
 * bearer token for that caller. Not imported by application code.
 */
import { type Brain, createBuiltinBrain, DrizzleSessionStore } from "../agent/index.js";
import type { AgentSessionStore } from "../agent/sessions.js";
import { type AppOptions, createApp } from "../app.js";
import { createVerifier } from "../auth/index.js";
import { createDrizzleChatKitStore } from "../chatkit/index.js";
import type { Database } from "../database.js";
import { createLogger } from "../log.js";
import { createReadiness, type Readiness } from "../readiness.js";
import { type RunningServer, startServer } from "../server.js";
import { createTaskFeed, type TaskFeed, type TaskFeedOptions } from "../tasks/live/feed.js";
import { type DatabaseKind, openTestDatabase } from "./db.js";
import { authConfig, createSigningKey, type SigningKey, sign, startJwksServer } from "./issuer.js";
import { captureLogs, type LogCapture } from "./logs.js";

/** A response body read in a test: plain JSON, asserted on with `expect`. */
// biome-ignore lint/suspicious/noExplicitAny: test assertions walk arbitrary JSON.
export type Json = any;

/** A `Response` whose `json()` is typed for assertions. */
export interface JsonResponse extends Response {
  json(): Promise<Json>;
}

/** A caller's client: `fetch` relative to the API with `Authorization: Bearer` set. */
export type Client = (path: string, init?: RequestInit) => Promise<JsonResponse>;

export interface TestApi {
  readonly url: URL;
  readonly db: Database;
  readonly logs: LogCapture;
  readonly key: SigningKey;
  /** What `GET /ready` answers; `drain()` it as SIGTERM would. */
  readonly readiness: Readiness;
  /** The live task feed behind `GET /api/tasks/events`; `close()` it as SIGTERM would. */
  readonly feed: TaskFeed;
  /** A client for `user` of `tenant` (a fresh token per client). */
  as(tenant: string, user?: string): Promise<Client>;
  /** A client that sends no token. */
  anonymous: Client;
  close(): Promise<void>;
}

/** What a test may change in the API it starts. */
export interface TestApiOptions {
  /** @default the built-in brain */
  brain?: Brain;
  /**
   * Agent tuning, as `createApp` takes it.
   * @default conversations in the test database, as `main.ts` keeps them
   */
  agent?: AppOptions["agent"];
  /** The agent's conversations, built on the test database (overrides `agent.sessions`). */
  sessions?: (db: Database) => AgentSessionStore;
  /** @default "info" */
  logLevel?: string;
  /** The server's drain timeout on close. @default the server's own */
  drainTimeoutMs?: number;
  /** Bounds of the live task feed. @default the feed's own */
  feed?: Omit<TaskFeedOptions, "source" | "log">;
}

/**
 * Starts the API on 127.0.0.1 with a fresh database of `kind`.
 *
 * @example
 * ```ts
 * const api = await startTestApi("pglite");
 * const alice = await api.as("tenant_a", "alice");
 * await alice("/api/tasks", { method: "POST", headers: JSON_HEADERS, body: '{"title":"x"}' });
 * ```
 */
export async function startTestApi(
  kind: DatabaseKind = "pglite",
  options: TestApiOptions = {},
): Promise<TestApi> {
  const key = await createSigningKey("k1");
  const jwks = await startJwksServer([key]);
  const db = await openTestDatabase(kind);
  const logs = captureLogs();
  const readiness = createReadiness({ ping: db.ping });
  const feed = createTaskFeed({ ...options.feed, source: db.listen(), log: db.changeLog });
  let server: RunningServer;
  try {
    await feed.start();
    const app = createApp({
      verify: createVerifier(authConfig(jwks.url)),
      logger: createLogger({ destination: logs.destination, level: options.logLevel }),
      store: db.store,
      chatkit: createDrizzleChatKitStore(db.db),
      brain: options.brain ?? createBuiltinBrain(),
      agent: {
        ...options.agent,
        sessions:
          options.sessions?.(db) ?? options.agent?.sessions ?? new DrizzleSessionStore(db.db),
      },
      feed,
      readiness,
    });
    server = await startServer({ app, port: 0, drainTimeoutMs: options.drainTimeoutMs });
  } catch (error) {
    await feed.close();
    await db.close();
    await jwks.close();
    throw error;
  }
  const client =
    (token?: string): Client =>
    (path, init = {}) => {
      const headers = new Headers(init.headers);
      if (token !== undefined) headers.set("authorization", `Bearer ${token}`);
      return fetch(new URL(path, server.url), { ...init, headers });
    };
  return {
    url: server.url,
    db,
    logs,
    key,
    readiness,
    feed,
    as: async (tenant, user = `${tenant}_user`) =>
      client(await sign(key, { tenant_id: tenant, sub: user })),
    anonymous: client(),
    close: async () => {
      await feed.close();
      await server.shutdown();
      await db.close();
      await jwks.close();
    },
  };
}

/** Headers of a JSON request body. */
export const JSON_HEADERS = { "content-type": "application/json" } as const;
