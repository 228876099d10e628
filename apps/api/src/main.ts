/**
 * The TaskFlow API process: reads the environment (`PORT`, `HOST`, `AUTH_*`, `LOG_LEVEL`),
 * serves the app, and drains in-flight requests on SIGTERM/SIGINT before exiting. A bad
 * configuration exits with status 1 and one message listing every problem.
 */
import { createApp } from "./app.js";
import { createVerifier, readAuthConfig } from "./auth/index.js";
import { readServerConfig } from "./env.js";
import { errorCode } from "./errors.js";
import { createLogger } from "./log.js";
import { onShutdownSignal, startServer } from "./server.js";

const logger = createLogger({ level: process.env.LOG_LEVEL });

try {
  const { port, host, drainTimeoutMs } = readServerConfig(process.env);
  const verify = createVerifier(readAuthConfig(process.env));
  const server = await startServer({
    app: createApp({ verify, logger }),
    port,
    host,
    drainTimeoutMs,
  });
  logger.info({ url: server.url.href }, "listening");
  onShutdownSignal(async (signal) => {
    logger.info({ signal, drainTimeoutMs }, "shutting down");
    await server.shutdown();
    logger.info("stopped");
  });
} catch (error) {
  if (errorCode(error) !== "ERR_INVALID_CONFIG") throw error;
  logger.fatal((error as Error).message);
  process.exitCode = 1;
}
