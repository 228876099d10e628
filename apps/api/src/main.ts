/**
 * The TaskFlow API process: reads the environment (`PORT`, `HOST`, `AUTH_*`, `DATABASE_URL`,
 * `DATA_DIR`, `OPENAI_*`, `AGENT_*`, `SHUTDOWN_*`, `LOG_LEVEL`), opens and migrates the database,
 * serves the app with agent conversations in that database, and on SIGTERM/SIGINT: `/ready`
 * answers 503 at once, connections are still accepted for `SHUTDOWN_DELAY_MS` (the balancer
 * notices), then task event streams are ended and new connections refused while in-flight
 * requests and streams get `SHUTDOWN_DRAIN_MS` to finish; then the database is closed and the process exits.
 * A bad configuration exits with status 1 and one message listing every problem.
 *
 * Everything the process creates is its owner's alone: umask 0077 is set before anything is
 * opened, whatever umask it was started with (the database layer sets explicit modes as well).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { createBrain, DrizzleSessionStore, readAgentConfig } from "./agent/index.js";
import { createApp } from "./app.js";
import { createVerifier, readAuthConfig } from "./auth/index.js";
import { createDrizzleChatKitStore } from "./chatkit/index.js";
import { openDatabase } from "./database.js";
import { readDatabaseConfig } from "./db/index.js";
import { readServerConfig } from "./env.js";
import { errorCode, InvalidConfigError } from "./errors.js";
import { createLogger } from "./log.js";
import { createReadiness } from "./readiness.js";
import { onShutdownSignal, startServer } from "./server.js";
import { createTaskFeed } from "./tasks/live/feed.js";

// Before anything else (the imports above open no file): owner-only files, group and other get nothing.
process.umask(0o077);

const logger = createLogger({ level: process.env.LOG_LEVEL });

try {
  // Every variable is read before anything starts, so one run reports every problem.
  const problems: string[] = [];
  const read = <T>(reader: (env: NodeJS.ProcessEnv) => T): T | undefined => {
    try {
      return reader(process.env);
    } catch (error) {
      if (errorCode(error) !== "ERR_INVALID_CONFIG") throw error;
      problems.push((error as Error).message);
      return undefined;
    }
  };
  const serverConfig = read(readServerConfig);
  const authConfig = read(readAuthConfig);
  const databaseConfig = read(readDatabaseConfig);
  const agentConfig = read(readAgentConfig);
  if (!serverConfig || !authConfig || !databaseConfig || !agentConfig) {
    throw new InvalidConfigError(problems.join("\n"));
  }
  const { port, host, drainTimeoutMs, shutdownDelayMs } = serverConfig;
  const verify = createVerifier(authConfig);
  const database = await openDatabase(databaseConfig, { logger });
  const readiness = createReadiness({ ping: database.ping });
  // GET /api/tasks/events: this instance's streams, fed by its own LISTEN connection.
  const feed = createTaskFeed({ source: database.listen(), log: database.changeLog, logger });
  await feed.start();
  const server = await startServer({
    app: createApp({
      verify,
      logger,
      store: database.store,
      chatkit: createDrizzleChatKitStore(database.db),
      brain: createBrain(agentConfig),
      // In the database, so that any instance continues any conversation (docs/api/agent.md);
      // AGENT_SESSION_MAX_BYTES / AGENT_MEMORY_MAX_BYTES bound what they hold.
      agent: { sessions: new DrizzleSessionStore(database.db, agentConfig.memory) },
      feed,
      readiness,
    }),
    port,
    host,
    drainTimeoutMs,
  });
  logger.info(
    {
      url: server.url.href,
      agent:
        agentConfig.kind === "openai"
          ? { brain: "openai", model: agentConfig.model }
          : { brain: "builtin" },
    },
    "listening",
  );
  onShutdownSignal(async (signal) => {
    readiness.drain();
    logger.info({ signal, shutdownDelayMs, drainTimeoutMs }, "shutting down");
    // Still serving everything, /ready aside, until the balancer's checks have seen the 503.
    if (shutdownDelayMs > 0) await sleep(shutdownDelayMs);
    // Event streams never finish by themselves: end them now, so that their clients reconnect
    // to another instance (resuming from Last-Event-ID) instead of waiting to be cut.
    await feed.close();
    await server.shutdown();
    await database.close();
    logger.info("stopped");
  });
} catch (error) {
  if (errorCode(error) !== "ERR_INVALID_CONFIG") throw error;
  logger.fatal((error as Error).message);
  process.exitCode = 1;
}
