import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { Hono } from "hono";
import type { Logger } from "pino";
import { MethodNotAllowedError } from "../errors.js";
import type { AppEnv } from "../middleware.js";
import type { TaskStore } from "../tasks/model.js";
import { createTaskMcpServer } from "./server.js";

/** What {@link mcpRoutes} needs. */
export interface McpRoutesDeps {
  store: TaskStore;
  logger: Logger;
}

/**
 * The largest JSON-RPC body read. A tool call holds at most a title and 10,000 characters of
 * notes; the SDK's 4 MiB default would let one request buffer far more than any call needs.
 * @default 256 KiB
 */
const MAX_BODY_BYTES = 256 * 1024;

/**
 * The MCP Streamable HTTP endpoint, mounted at its root (the app mounts it at `/mcp` behind
 * `authenticate`). Stateless: every POST gets a new server bound to the caller's tenant and a new
 * transport, answered as one JSON body (`enableJsonResponse`): each tool is one short store call,
 * so there is nothing to stream, and the server is closed as soon as the answer is ready. GET
 * and DELETE answer 405 problem+json: the spec lets a server without a server-initiated stream
 * or sessions say so (MCP 2025-06-18, Transports, §2.2.3 and §2.5.3).
 *
 * @example
 * ```ts
 * app.use("/mcp", authenticate(verify, logger));
 * app.route("/mcp", mcpRoutes({ store, logger }));
 * ```
 */
export function mcpRoutes({ store, logger }: McpRoutesDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post("/", async (c) => {
    const { tenantId, userId } = c.get("principal");
    const log = logger.child({ requestId: c.get("requestId") });
    const server = createTaskMcpServer(store, { tenantId, userId }, { logger: log });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
      maxRequestBodySize: MAX_BODY_BYTES,
    });
    try {
      await server.connect(transport);
      return await transport.handleRequest(c.req.raw);
    } finally {
      await server.close();
    }
  });
  app.all("/", () => {
    throw new MethodNotAllowedError(["POST"]);
  });
  return app;
}
