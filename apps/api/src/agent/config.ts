import type { Env } from "../auth/index.js";
import { InvalidConfigError } from "../errors.js";
import type { Brain } from "./brain.js";
import { createBuiltinBrain } from "./builtin.js";
import { createOpenAIBrain, type OpenAIBrainOptions } from "./openai.js";

/** The model used when `OPENAI_MODEL` is not set: small, cheap and good at tool calls. */
export const DEFAULT_OPENAI_MODEL = "gpt-4.1-mini";

/** Which brain the agent runs, read once at start-up by {@link readAgentConfig}. */
export type AgentConfig =
  | {
      readonly kind: "builtin";
      /** `AGENT_WORD_DELAY_MS`: a pause after each streamed word. @default 0 */
      readonly wordDelayMs?: number;
    }
  | {
      readonly kind: "openai";
      /** `OPENAI_API_KEY`; never logged or answered. */
      readonly apiKey: string;
      /** `OPENAI_BASE_URL`, for any OpenAI-compatible server. @default OpenAI's API */
      readonly baseURL?: string;
      /** `OPENAI_MODEL`. @default "gpt-4.1-mini" */
      readonly model: string;
    };

/**
 * Reads `OPENAI_API_KEY`, `OPENAI_BASE_URL` and `OPENAI_MODEL`. Without a key the agent runs the
 * built-in deterministic brain, so the system works offline.
 *
 * @throws {InvalidConfigError} `ERR_INVALID_CONFIG` when `OPENAI_BASE_URL` is not an http(s)
 * URL or the key holds spaces or control characters (it is sent as a header). The message never
 * quotes the key.
 * @example
 * ```ts
 * const brain = createBrain(readAgentConfig(process.env));
 * ```
 */
export function readAgentConfig(env: Env): AgentConfig {
  const problems: string[] = [];
  const apiKey = env.OPENAI_API_KEY?.trim() ?? "";
  const baseURL = env.OPENAI_BASE_URL?.trim() ?? "";
  const model = env.OPENAI_MODEL?.trim() || DEFAULT_OPENAI_MODEL;
  if (/[\s\p{Cc}]/u.test(apiKey)) {
    problems.push("OPENAI_API_KEY must not contain spaces or control characters.");
  }
  if (baseURL !== "" && !isHttpUrl(baseURL)) {
    // Not quoted: a URL with user:password@ would put a secret in the start-up log.
    problems.push("OPENAI_BASE_URL must be an http(s) URL without user:password@.");
  }
  const delay = env.AGENT_WORD_DELAY_MS?.trim() ?? "";
  if (delay !== "" && (!/^\d{1,4}$/.test(delay) || Number(delay) > 5_000)) {
    problems.push("AGENT_WORD_DELAY_MS must be a whole number of milliseconds from 0 to 5000.");
  }
  if (problems.length > 0) {
    throw new InvalidConfigError(`Invalid agent configuration: ${problems.join(" ")}`);
  }
  if (apiKey === "")
    return delay === "" ? { kind: "builtin" } : { kind: "builtin", wordDelayMs: Number(delay) };
  return { kind: "openai", apiKey, model, ...(baseURL === "" ? {} : { baseURL }) };
}

function isHttpUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  return (url.protocol === "http:" || url.protocol === "https:") && url.username === "";
}

/**
 * Creates the brain a configuration names. `tuning` adjusts the model brain (tests shorten its
 * timeout and retries).
 *
 * @example
 * ```ts
 * const brain = createBrain({ kind: "builtin" });
 * brain.kind; // "builtin"
 * ```
 */
export function createBrain(
  config: AgentConfig,
  tuning: Pick<OpenAIBrainOptions, "timeoutMs" | "maxRetries" | "maxRounds"> = {},
): Brain {
  return config.kind === "builtin"
    ? createBuiltinBrain(config)
    : createOpenAIBrain({ ...config, ...tuning });
}
