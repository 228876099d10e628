/**
 * The contract both brains implement: the deterministic built-in one and the OpenAI-compatible
 * model. A brain reads the conversation, acts only through the {@link ToolBox} (the caller's MCP
 * tools) and streams its answer through `emit`.
 */
import type { AgentError, BrainEvent, FinishReason } from "./events.js";

/** A tool call the assistant made, kept in the history so a model sees what it did. */
export interface ToolCallRecord {
  id: string;
  name: string;
  /** The arguments as JSON text, as models send and expect them. */
  arguments: string;
}

/** One message of a conversation, independent of any provider's format. */
export type ChatMessage =
  | { role: "user"; content: string }
  | { role: "assistant"; content: string; toolCalls?: readonly ToolCallRecord[] }
  | { role: "tool"; toolCallId: string; name: string; content: string };

/** A tool as the MCP server lists it. */
export interface ToolInfo {
  name: string;
  description: string;
  /** The tool's input as a JSON Schema object (what a model is given as function parameters). */
  inputSchema: Record<string, unknown>;
  /** Whether a successful call may change tasks (MCP `readOnlyHint` is not `true`). */
  changesTasks: boolean;
}

/** What a tool call gave back. */
export interface ToolOutcome {
  ok: boolean;
  /** The tool's `structuredContent` on success. */
  result?: Record<string, unknown>;
  error?: AgentError;
  /** The call succeeded and the tool may change tasks. */
  changed: boolean;
}

/** The caller's task tools. Each call is announced with `tool_call` and `tool_result` events. */
export interface ToolBox {
  list(): Promise<readonly ToolInfo[]>;
  /**
   * Calls a tool. `arguments` should be an object; anything else is refused with
   * `ERR_VALIDATION` without reaching the tool. Never throws for a tool's failure.
   */
  call(call: { id?: string; name: string; arguments: unknown }): Promise<ToolOutcome>;
}

/** Who the brain acts for, for its wording (the tool box is already scoped). */
export interface BrainCaller {
  userId: string;
  tenantId: string;
  email?: string;
}

/** One turn's input. */
export interface BrainInput {
  /** The conversation so far, ending with the new user message. */
  messages: readonly ChatMessage[];
  tools: ToolBox;
  caller: BrainCaller;
  /** Aborted when the client goes away: stop and settle (resolve or reject) promptly. */
  signal: AbortSignal;
  /** Sends `delta` events; tool events come from the tool box. */
  emit: (event: BrainEvent) => void;
}

/** One turn's outcome. */
interface BrainResult {
  finishReason: FinishReason;
  /** What this turn adds to the conversation after the user message, in order. */
  messages: ChatMessage[];
}

/**
 * A brain. `run` rejects with an API error (`ERR_AGENT_*`) on failure; the route turns it into
 * an `error` event.
 *
 * @example
 * ```ts
 * const { finishReason } = await brain.run({ messages, tools, caller, signal, emit });
 * ```
 */
export interface Brain {
  readonly kind: "builtin" | "openai";
  /** The model name, for `GET /v1/agent/health`. */
  readonly model?: string;
  run(input: BrainInput): Promise<BrainResult>;
}
