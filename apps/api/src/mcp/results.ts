import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Logger } from "pino";
import { errorCode } from "../errors.js";

/** The machine-readable part of a failed tool call: `structuredContent.error`. */
interface ToolError {
  code: string;
  message: string;
}

/**
 * Store errors whose message was written for clients and is safe to pass on. Anything else
 * (a database error, a bug) can carry SQL or internals: it is logged and answered generically.
 */
const CLIENT_CODES = new Set(["ERR_NOT_FOUND", "ERR_VALIDATION", "ERR_PRECONDITION_FAILED"]);

/**
 * A successful result: the object as `structuredContent` and, as the MCP spec asks of tools that
 * return structured content, the same object serialized in a text block for older clients.
 *
 * @example
 * ```ts
 * return success({ task: toTaskJson(task) });
 * ```
 */
export function success(structured: Record<string, unknown>): CallToolResult {
  return {
    content: [{ type: "text", text: JSON.stringify(structured) }],
    structuredContent: structured,
  };
}

/**
 * A tool execution error (MCP `isError: true`), never a protocol error: the caller, often a
 * model, reads it and can correct itself. The code is both in `structuredContent.error` and at
 * the start of the text.
 *
 * @example
 * ```ts
 * return failure("ERR_VALIDATION", "Give at least one of `title`, `notes`, `status`.");
 * ```
 */
export function failure(code: string, message: string): CallToolResult {
  const error: ToolError = { code, message };
  return {
    content: [{ type: "text", text: `${code}: ${message}` }],
    structuredContent: { error },
    isError: true,
  };
}

/**
 * Runs a tool body and turns what it throws into a tool error. The SDK would otherwise answer
 * `error.message` verbatim, which for an unexpected error may hold internals (OWASP ASVS V7.4.1).
 *
 * @example
 * ```ts
 * server.registerTool("list_tasks", config, (args) => guarded(logger, "list_tasks", () => list(args)));
 * ```
 */
export async function guarded(
  logger: Logger | undefined,
  tool: string,
  body: () => Promise<CallToolResult>,
): Promise<CallToolResult> {
  try {
    return await body();
  } catch (error) {
    const code = errorCode(error);
    if (code !== undefined && CLIENT_CODES.has(code)) {
      return failure(code, (error as Error).message);
    }
    logger?.error({ err: error, tool }, "mcp tool failed");
    return failure("ERR_INTERNAL", "The tool failed unexpectedly. Try again later.");
  }
}
