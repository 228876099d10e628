import type { Env } from "../auth/index.js";
import { InvalidConfigError } from "../errors.js";
import type { Brain } from "./brain.js";
import { createBuiltinBrain } from "./builtin.js";
import { createOpenAIBrain, type OpenAIBrainOptions } from "./openai.js";
import { DEFAULT_MEMORY_MAX_BYTES, DEFAULT_SESSION_MAX_BYTES } from "./sessions.js";

/** The model used when `OPENAI_MODEL` is not set: small, cheap and good at tool calls. */
const DEFAULT_OPENAI_MODEL = "gpt-4.1-mini";

/** Byte budgets of the agent's session memory; a session store built with them applies them. */
interface AgentMemoryConfig {
  /** `AGENT_SESSION_MAX_BYTES`: history one session keeps. @default 65_536 */
  readonly maxSessionBytes: number;
  /** `AGENT_MEMORY_MAX_BYTES`: history all sessions keep together. @default 67_108_864 */
  readonly maxTotalBytes: number;
}

/** Which brain the agent runs. */
export type AgentBrainConfig =
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

/** Which brain the agent runs and how much it remembers, read once by {@link readAgentConfig}. */
export type AgentConfig = AgentBrainConfig & { readonly memory: AgentMemoryConfig };

/** The bounds of the memory variables: at least a few turns per session, at most 16 GiB. */
const SESSION_BYTES = { min: 8 * 1024, max: 16 * 1024 * 1024 };
const MEMORY_BYTES_MAX = 16 * 1024 ** 3;

/**
 * Reads `OPENAI_API_KEY`, `OPENAI_BASE_URL`, `OPENAI_MODEL`, `AGENT_WORD_DELAY_MS`,
 * `AGENT_SESSION_MAX_BYTES` and `AGENT_MEMORY_MAX_BYTES`. Without a key the agent runs the
 * built-in deterministic brain, so the system works offline.
 *
 * @throws {InvalidConfigError} `ERR_INVALID_CONFIG` when `OPENAI_BASE_URL` is not an http(s)
 * URL, the key holds spaces or control characters (it is sent as a header), or a memory budget
 * is not a whole number of bytes in range (the total at least one session's). The message never
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
  const bytes = (name: string, fallback: number, min: number, max: number): number => {
    const text = env[name]?.trim() ?? "";
    if (text === "") return fallback;
    if (!/^\d{1,12}$/.test(text) || Number(text) < min || Number(text) > max) {
      problems.push(`${name} must be a whole number of bytes from ${min} to ${max}.`);
      return fallback;
    }
    return Number(text);
  };
  const maxSessionBytes = bytes(
    "AGENT_SESSION_MAX_BYTES",
    DEFAULT_SESSION_MAX_BYTES,
    SESSION_BYTES.min,
    SESSION_BYTES.max,
  );
  const maxTotalBytes = bytes(
    "AGENT_MEMORY_MAX_BYTES",
    DEFAULT_MEMORY_MAX_BYTES,
    maxSessionBytes,
    MEMORY_BYTES_MAX,
  );
  if (problems.length > 0) {
    throw new InvalidConfigError(`Invalid agent configuration: ${problems.join(" ")}`);
  }
  const memory = { maxSessionBytes, maxTotalBytes };
  if (apiKey === "") {
    return delay === ""
      ? { kind: "builtin", memory }
      : { kind: "builtin", wordDelayMs: Number(delay), memory };
  }
  return { kind: "openai", apiKey, model, ...(baseURL === "" ? {} : { baseURL }), memory };
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
  config: AgentBrainConfig,
  tuning: Pick<OpenAIBrainOptions, "timeoutMs" | "maxRetries" | "maxRounds"> = {},
): Brain {
  return config.kind === "builtin"
    ? createBuiltinBrain(config)
    : createOpenAIBrain({ ...config, ...tuning });
}
