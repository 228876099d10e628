/**
 * The agent panel's conversation as plain data, and how each server-sent event of
 * `POST /v1/agent/chat` changes it (docs/api/agent.md). No React, no network: unit-tested.
 */

/** One tool call of the agent, as the panel lists it: "add_task … ✓". */
export interface ToolActivity {
  readonly id: string;
  readonly name: string;
  readonly state: "running" | "ok" | "failed";
  /** The tool's error message, when it failed. */
  readonly error?: string;
}

interface UserTurn {
  readonly id: number;
  readonly role: "user";
  readonly text: string;
}

export interface AssistantTurn {
  readonly id: number;
  readonly role: "assistant";
  /** The answer so far: `delta` texts, concatenated in order. */
  readonly text: string;
  readonly tools: readonly ToolActivity[];
  readonly state: "streaming" | "done" | "failed" | "stopped";
  /** Why the turn failed, for people. */
  readonly error?: string;
}

export type Turn = UserTurn | AssistantTurn;

/** What one event means for the page besides the transcript. */
export interface EventEffect {
  /** The conversation to continue with the next message (`session`, `done`). */
  sessionId?: string;
  /** A tool may have changed tasks: reload the list now, while the answer streams. */
  tasksChanged?: boolean;
}

/** Applies one server-sent event to the assistant turn being streamed. */
export function applyEvent(
  turn: AssistantTurn,
  event: string,
  data: unknown,
): { turn: AssistantTurn; effect: EventEffect } {
  const fields = isRecord(data) ? data : {};
  switch (event) {
    case "session":
      return { turn, effect: sessionOf(fields) };
    case "delta":
      return {
        turn: typeof fields.text === "string" ? { ...turn, text: turn.text + fields.text } : turn,
        effect: {},
      };
    case "tool_call": {
      const tool: ToolActivity = {
        id: String(fields.id ?? turn.tools.length),
        name: String(fields.name ?? "tool"),
        state: "running",
      };
      return { turn: { ...turn, tools: [...turn.tools, tool] }, effect: {} };
    }
    case "tool_result": {
      const id = String(fields.id ?? "");
      const ok = fields.ok === true;
      const error = isRecord(fields.error) ? String(fields.error.message ?? "") : undefined;
      const result: ToolActivity = {
        id,
        name: String(fields.name ?? "tool"),
        state: ok ? "ok" : "failed",
        ...(ok || error === undefined ? {} : { error }),
      };
      const known = turn.tools.some((tool) => tool.id === id);
      const tools = known
        ? turn.tools.map((tool) => (tool.id === id ? result : tool))
        : [...turn.tools, result];
      return { turn: { ...turn, tools }, effect: { tasksChanged: fields.changed === true } };
    }
    case "done":
      return { turn: { ...turn, state: "done" }, effect: sessionOf(fields) };
    case "error":
      return {
        turn: {
          ...turn,
          state: "failed",
          error: typeof fields.message === "string" ? fields.message : "The agent failed.",
        },
        effect: {},
      };
    default:
      // Unknown events are for newer clients: ignore them (as EventSource ignores unknown types).
      return { turn, effect: {} };
  }
}

/** The line the panel shows for a tool call. */
export function describeTool(tool: ToolActivity): string {
  if (tool.state === "running") return `${tool.name} …`;
  if (tool.state === "ok") return `${tool.name} … ✓`;
  return `${tool.name} … ✗${tool.error ? ` ${tool.error}` : ""}`;
}

function sessionOf(fields: Record<string, unknown>): EventEffect {
  return typeof fields.sessionId === "string" ? { sessionId: fields.sessionId } : {};
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
