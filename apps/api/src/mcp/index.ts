export { mcpRoutes } from "./routes.js";
export { createTaskMcpServer } from "./server.js";
