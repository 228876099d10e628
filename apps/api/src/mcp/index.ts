export type { ToolError } from "./results.js";
export { type McpRoutesDeps, mcpRoutes } from "./routes.js";
export { createTaskMcpServer, type TaskMcpServerOptions } from "./server.js";
