import type { OpenAPIHono } from "@hono/zod-openapi";
import { REQUEST_TYPES } from "./chatkit/index.js";
import type { AppEnv } from "./middleware.js";

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
});
const security = [{ bearerAuth: [] }];
const unauthorized = problem("No valid bearer token, or no tenant in it (401, 403).");

/**
 * Describes the routes that are not zod-validated OpenAPI routes (the MCP endpoint and the
 * ChatKit server, whose bodies are other protocols' JSON) and serves the document at
 * `/openapi.json`, so one document covers the API.
 *
 * @example
 * ```ts
 * serveOpenApiDocument(app);
 * ```
 */
export function serveOpenApiDocument(app: OpenAPIHono<AppEnv>): void {
  const registry = app.openAPIRegistry;
  registry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "An EdDSA JWT from the web app's JWKS, with `sub` and `tenant_id`.",
  });
  registry.registerPath({
    method: "post",
    path: "/mcp",
    tags: ["mcp"],
    security,
    summary: "Model Context Protocol, Streamable HTTP (stateless); the task tools",
    description: "JSON-RPC 2.0 as the MCP specification defines it; see docs/api/mcp.md.",
    request: {
      body: { required: true, content: { "application/json": { schema: { type: "object" } } } },
    },
    responses: {
      200: {
        description: "The JSON-RPC response.",
        content: { "application/json": { schema: { type: "object" } } },
      },
      401: unauthorized,
      405: problem("GET and DELETE: no server-initiated stream in stateless mode."),
    },
  });
  registry.registerPath({
    method: "post",
    path: "/chatkit",
    tags: ["chatkit"],
    security,
    summary: "ChatKit custom backend: one request type per body, JSON or a stream back",
    description:
      "The protocol of openai/chatkit-python; `threads.create`, `threads.add_user_message`, `threads.add_client_tool_output`, `threads.retry_after_item` and `threads.custom_action` answer `text/event-stream`. See docs/api/chatkit.md.",
    request: {
      body: {
        required: true,
        content: {
          "application/json": {
            schema: {
              type: "object",
              required: ["type"],
              properties: {
                type: { type: "string", enum: [...REQUEST_TYPES] },
                params: { type: "object" },
                metadata: { type: "object" },
              },
            },
          },
        },
      },
    },
    responses: {
      200: {
        description: "JSON for reads and changes; `data: <json>` events for streaming requests.",
        content: {
          "application/json": { schema: { type: "object" } },
          "text/event-stream": { schema: { type: "string" } },
        },
      },
      400: problem(
        "Not a JSON object (`ERR_BAD_REQUEST`), an unknown `type` (`ERR_CHATKIT_UNKNOWN_REQUEST`), or `attachments.create` (`ERR_CHATKIT_ATTACHMENTS_UNSUPPORTED`).",
      ),
      401: unauthorized,
      404: problem(
        "The thread, item or attachment is unknown or another user's (`ERR_NOT_FOUND`).",
      ),
      409: problem("The request does not fit the thread (`ERR_CHATKIT_CONFLICT`)."),
      413: problem("The body is larger than 64 KiB (`ERR_PAYLOAD_TOO_LARGE`)."),
      415: problem("The body is not JSON (`ERR_UNSUPPORTED_MEDIA_TYPE`)."),
      422: problem("A `params` field is invalid (`ERR_VALIDATION`)."),
    },
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "TaskFlow API",
      version: "1.0.0",
      description:
        "Tasks per tenant, a streaming task agent, an MCP server and a ChatKit server, behind a bearer JWT. Errors are RFC 9457 problem+json with a stable `code` (docs/api/errors.md).",
    },
  });
}
