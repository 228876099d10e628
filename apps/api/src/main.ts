/**
 * The TaskFlow API process: reads the environment (`PORT`, `HOST`, `AUTH_*`, `DATABASE_URL`,
 * `DATA_DIR`, `OPENAI_*`, `LOG_LEVEL`), opens and migrates the database, serves the app, and on
 * SIGTERM/SIGINT drains in-flight requests and streams before closing the database and exiting.
 * A bad configuration exits with status 1 and one message listing every problem.
 *
 * Everything the process creates is its owner's alone: umask 0077 is set before anything is
 * opened, whatever umask it was started with (the database layer sets explicit modes as well).
 */
import { createBrain, readAgentConfig, SessionStore } from "./agent/index.js";
import { createApp } from "./app.js";
import { createVerifier, readAuthConfig } from "./auth/index.js";
import { createDrizzleChatKitStore } from "./chatkit/index.js";
import { openDatabase } from "./database.js";
import { readDatabaseConfig } from "./db/index.js";
import { readServerConfig } from "./env.js";
import { errorCode, InvalidConfigError } from "./errors.js";
import { createLogger } from "./log.js";
import { onShutdownSignal, startServer } from "./server.js";

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
  const { port, host, drainTimeoutMs } = serverConfig;
  const verify = createVerifier(authConfig);
  const database = await openDatabase(databaseConfig, { logger });
  const server = await startServer({
    app: createApp({
      verify,
      logger,
      store: database.store,
      chatkit: createDrizzleChatKitStore(database.db),
      brain: createBrain(agentConfig),
      // AGENT_SESSION_MAX_BYTES / AGENT_MEMORY_MAX_BYTES bound what conversations hold.
      agent: { sessions: new SessionStore(agentConfig.memory) },
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
    logger.info({ signal, drainTimeoutMs }, "shutting down");
    await server.shutdown();
    await database.close();
    logger.info("stopped");
  });
} catch (error) {
  if (errorCode(error) !== "ERR_INVALID_CONFIG") throw error;
  logger.fatal((error as Error).message);
  process.exitCode = 1;
}
