import { readJson } from "handoff-bff/client";
import { describeError } from "../errors";
import { send } from "../http";

/** Whether the agent can be reached, as the panel's badge shows it. */
export type AgentHealth =
  | { readonly state: "checking" }
  | { readonly state: "available"; readonly brain: string; readonly model?: string }
  | { readonly state: "unavailable"; readonly reason: string };

interface HealthBody {
  status?: unknown;
  brain?: unknown;
  model?: unknown;
}

/** Asks `GET /api/agent/health` (the API's `/v1/agent/health`, through Handoff). */
export async function checkHealth(signal?: AbortSignal): Promise<AgentHealth> {
  try {
    const response = await send("/api/agent/health", { cache: "no-store", signal });
    const body = await readJson<HealthBody>(response);
    if (body?.status !== "ok") return { state: "unavailable", reason: "the agent is not ready." };
    const brain = typeof body.brain === "string" ? body.brain : "unknown";
    return typeof body.model === "string"
      ? { state: "available", brain, model: body.model }
      : { state: "available", brain };
  } catch (error) {
    if (signal?.aborted) throw error;
    return { state: "unavailable", reason: reasonOf(error) };
  }
}

/** The proxy's codes for an API that is down, in the panel's words (docs/errors.md). */
const REASONS: Record<string, string> = {
  ERR_UPSTREAM_UNREACHABLE: "the API could not be reached",
  ERR_UPSTREAM_TIMEOUT: "the API did not answer in time",
  ERR_UPSTREAM_FAILED: "the API failed to answer",
  ERR_RATE_LIMITED: "too many requests; retrying shortly",
};

/** Why the agent is unavailable, from what `checkHealth` caught. */
export function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return (typeof code === "string" && REASONS[code]) || describeError(error);
}

/** "Agent: available (built-in)", "Agent: unavailable — <reason>". */
export function describeHealth(health: AgentHealth): string {
  switch (health.state) {
    case "checking":
      return "Agent: checking…";
    case "available":
      return `Agent: available (${brainName(health.brain, health.model)})`;
    case "unavailable":
      return `Agent: unavailable — ${health.reason.replace(/\.$/, "")}`;
  }
}

function brainName(brain: string, model: string | undefined): string {
  if (brain === "builtin") return "built-in";
  return model === undefined ? brain : `${brain} · ${model}`;
}
