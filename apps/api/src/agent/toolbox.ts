import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Logger } from "pino";
import { createTaskMcpServer } from "../mcp/index.js";
import type { Scope, TaskStore } from "../tasks/model.js";
import type { ToolBox, ToolInfo, ToolOutcome } from "./brain.js";
import type { AgentError, BrainEvent } from "./events.js";

/** What {@link openToolBox} needs. */
export interface ToolBoxOptions {
  store: TaskStore;
  /** The caller: the MCP server is created for this tenant and user only. */
  scope: Scope;
  emit: (event: BrainEvent) => void;
  signal?: AbortSignal;
  logger?: Logger;
}

/** A tool box that must be closed when the turn ends. */
export interface OpenToolBox extends ToolBox {
  close(): Promise<void>;
}

const INTERNAL: AgentError = { code: "ERR_INTERNAL", message: "The tool failed unexpectedly." };

/**
 * Connects an in-process MCP client to a task MCP server scoped to `scope`, through the SDK's
 * linked in-memory transports: the agent goes through exactly the tools, validation and
 * tenant scoping an outside MCP client gets at `/mcp`.
 *
 * @example
 * ```ts
 * const tools = await openToolBox({ store, scope, emit });
 * try { await tools.call({ name: "add_task", arguments: { title: "Buy milk" } }); }
 * finally { await tools.close(); }
 * ```
 */
export async function openToolBox(options: ToolBoxOptions): Promise<OpenToolBox> {
  const { store, scope, emit, signal, logger } = options;
  const server = createTaskMcpServer(store, scope, logger === undefined ? {} : { logger });
  const client = new Client({ name: "taskflow-agent", version: "1.0.0" });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  await client.connect(clientSide);
  let tools: Promise<readonly ToolInfo[]> | undefined;

  const list = () => {
    tools ??= client.listTools().then(({ tools: listed }) =>
      listed.map((tool) => ({
        name: tool.name,
        description: tool.description ?? "",
        inputSchema: tool.inputSchema as Record<string, unknown>,
        changesTasks: tool.annotations?.readOnlyHint !== true,
      })),
    );
    return tools;
  };

  return {
    list,
    async call({ id = `call_${crypto.randomUUID().replaceAll("-", "")}`, name, arguments: args }) {
      emit({ type: "tool_call", data: { id, name, arguments: args } });
      const tool = (await list()).find((candidate) => candidate.name === name);
      let outcome: ToolOutcome;
      if (tool === undefined) {
        outcome = refused("ERR_NOT_FOUND", `There is no tool named ${JSON.stringify(name)}.`);
      } else if (typeof args !== "object" || args === null || Array.isArray(args)) {
        outcome = refused("ERR_VALIDATION", "The arguments must be a JSON object.");
      } else {
        try {
          const result = (await client.callTool(
            { name, arguments: args as Record<string, unknown> },
            undefined,
            signal === undefined ? {} : { signal },
          )) as CallToolResult;
          outcome = toOutcome(result, tool.changesTasks);
        } catch (error) {
          if (signal?.aborted) throw error;
          logger?.error({ err: error, tool: name }, "agent tool call failed");
          outcome = { ok: false, error: INTERNAL, changed: false };
        }
      }
      emit({ type: "tool_result", data: { id, name, ...outcome } });
      return outcome;
    },
    async close() {
      await client.close();
      await server.close();
    },
  };
}

function refused(code: string, message: string): ToolOutcome {
  return { ok: false, error: { code, message }, changed: false };
}

/** The SDK's own refusal of arguments that do not match the input schema carries no code. */
const SDK_VALIDATION = /^(?:MCP error -?\d+: )?(Input validation error: .*)$/s;

function toOutcome(result: CallToolResult, changesTasks: boolean): ToolOutcome {
  if (result.isError !== true) {
    return { ok: true, result: result.structuredContent ?? {}, changed: changesTasks };
  }
  const error = (result.structuredContent as { error?: Partial<AgentError> } | undefined)?.error;
  if (typeof error?.code === "string" && typeof error.message === "string") {
    return refused(error.code, error.message);
  }
  const [first] = result.content;
  const text = first?.type === "text" ? first.text : "";
  const validation = SDK_VALIDATION.exec(text);
  if (validation !== null) return refused("ERR_VALIDATION", validation[1] as string);
  return { ok: false, error: INTERNAL, changed: false };
}
