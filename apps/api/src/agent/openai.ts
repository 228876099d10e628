import OpenAI from "openai";
import type {
  ChatCompletionFunctionTool,
  ChatCompletionMessageParam,
} from "openai/resources/chat/completions";
import type { ApiError } from "../errors.js";
import type { Brain, BrainCaller, BrainInput, ChatMessage, ToolCallRecord } from "./brain.js";
import {
  AgentFailedError,
  AgentModelAuthError,
  AgentModelRateLimitedError,
  AgentModelUnavailableError,
} from "./errors.js";
import type { FinishReason } from "./events.js";

/** Options for {@link createOpenAIBrain}. */
export interface OpenAIBrainOptions {
  apiKey: string;
  /** An OpenAI-compatible API root, such as `http://127.0.0.1:11434/v1`. @default OpenAI's */
  baseURL?: string;
  model: string;
  /**
   * How long to wait for the provider to start answering, per attempt.
   * @default 60_000
   */
  timeoutMs?: number;
  /**
   * Retries of a failed request (connection errors, 408, 409, 429, 5xx), with the SDK's backoff.
   * @default 2
   */
  maxRetries?: number;
  /**
   * Model calls per chat message: each round may call tools and needs another round to answer.
   * Bounded so a model looping on tools cannot run (and bill) forever.
   * @default 8
   */
  maxRounds?: number;
}

/** Tool calls accepted in one round; more are ignored rather than run. */
const MAX_CALLS_PER_ROUND = 16;

/**
 * The model brain: an OpenAI-compatible Chat Completions model, streamed, with the MCP task
 * tools offered as function tools. Each round streams `content` as `delta` events and collects
 * `tool_calls` deltas by index; the calls run through the tool box, their results go back as
 * `tool` messages, and the next round answers, up to `maxRounds`. The request's signal is passed
 * to the SDK, so a client that disconnects stops the model stream.
 *
 * @example
 * ```ts
 * const brain = createOpenAIBrain({ apiKey: process.env.OPENAI_API_KEY!, model: "gpt-4.1-mini" });
 * ```
 */
export function createOpenAIBrain(options: OpenAIBrainOptions): Brain {
  const { model, maxRounds = 8 } = options;
  const client = new OpenAI({
    apiKey: options.apiKey,
    baseURL: options.baseURL ?? null,
    timeout: options.timeoutMs ?? 60_000,
    maxRetries: options.maxRetries ?? 2,
    // The SDK's own logging goes to the console and may quote provider messages; failures are
    // logged by the route instead, as codes.
    logLevel: "off",
  });

  return {
    kind: "openai",
    model,
    async run({ messages, tools, caller, signal, emit }: BrainInput) {
      const functions: ChatCompletionFunctionTool[] = (await tools.list()).map((tool) => ({
        type: "function",
        function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
      }));
      const wire: ChatCompletionMessageParam[] = [
        { role: "system", content: systemPrompt(caller) },
        ...messages.map(toWire),
      ];
      const added: ChatMessage[] = [];

      for (let round = 0; round < maxRounds; round += 1) {
        let text = "";
        let finish: string | null = null;
        const calls: ToolCallRecord[] = [];
        try {
          const stream = await client.chat.completions.create(
            { model, messages: wire, tools: functions, stream: true },
            { signal },
          );
          for await (const chunk of stream) {
            const choice = chunk.choices[0];
            if (choice === undefined) continue;
            if (choice.delta.content) {
              text += choice.delta.content;
              emit({ type: "delta", data: { text: choice.delta.content } });
            }
            for (const part of choice.delta.tool_calls ?? []) {
              if (part.index < 0 || part.index >= MAX_CALLS_PER_ROUND) continue;
              const call = calls[part.index] ?? { id: "", name: "", arguments: "" };
              calls[part.index] = call;
              if (part.id) call.id = part.id;
              if (part.function?.name) call.name = part.function.name;
              if (part.function?.arguments) call.arguments += part.function.arguments;
            }
            finish = choice.finish_reason ?? finish;
          }
        } catch (error) {
          if (signal.aborted) throw error;
          // Anything else is a bug of ours, logged in full by the route.
          throw error instanceof OpenAI.OpenAIError ? toAgentError(error) : error;
        }

        const toolCalls = calls.filter((call) => call !== undefined && call.name !== "");
        for (const call of toolCalls) call.id ||= `call_${crypto.randomUUID().replaceAll("-", "")}`;
        const answer: ChatMessage =
          toolCalls.length === 0
            ? { role: "assistant", content: text }
            : { role: "assistant", content: text, toolCalls };
        added.push(answer);
        wire.push(toWire(answer));
        if (toolCalls.length === 0) return { finishReason: finishReason(finish), messages: added };

        for (const call of toolCalls) {
          const outcome = await tools.call({ ...call, arguments: parseArguments(call.arguments) });
          const result: ChatMessage = {
            role: "tool",
            toolCallId: call.id,
            name: call.name,
            content: JSON.stringify(outcome.ok ? outcome.result : { error: outcome.error }),
          };
          added.push(result);
          wire.push(toWire(result));
        }
      }
      return { finishReason: "tool_limit", messages: added };
    },
  };
}

/**
 * Names the tenant, not the user: the model needs no identity to manage tasks, and an email sent
 * to a third-party provider is personal data it does not need (GDPR art. 5(1)(c)).
 */
function systemPrompt(caller: BrainCaller): string {
  return [
    `You are the TaskFlow assistant of the signed-in user, in the workspace (tenant) "${caller.tenantId}".`,
    "You manage this workspace's tasks, and only through the tools you are given: they see no",
    "other workspace. Never invent tasks, numbers or results; read them with the tools.",
    "Tasks have an id and a short number (1, 2, 3…) that people use: when the user names a",
    "task by its title, call find_tasks to get its number; if several tasks match, ask which",
    "number they mean instead of guessing. A tool error says what went wrong: explain it.",
    "Answer briefly, in the user's language, and say what you changed.",
  ].join(" ");
}

function toWire(message: ChatMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case "user":
      return { role: "user", content: message.content };
    case "tool":
      return { role: "tool", tool_call_id: message.toolCallId, content: message.content };
    case "assistant":
      return message.toolCalls === undefined || message.toolCalls.length === 0
        ? { role: "assistant", content: message.content }
        : {
            role: "assistant",
            content: message.content === "" ? null : message.content,
            tool_calls: message.toolCalls.map((call) => ({
              id: call.id,
              type: "function",
              function: { name: call.name, arguments: call.arguments },
            })),
          };
  }
}

/** The arguments as an object; the raw text when they are not JSON (the tool box refuses it). */
function parseArguments(text: string): unknown {
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function finishReason(reason: string | null): FinishReason {
  return reason === "length" || reason === "content_filter" ? reason : "stop";
}

/**
 * Maps what the SDK throws to a stable agent error. The provider's message is kept only as the
 * `cause`: OpenAI's 401 message quotes part of the API key.
 */
function toAgentError(error: unknown): ApiError {
  if (
    error instanceof OpenAI.AuthenticationError ||
    error instanceof OpenAI.PermissionDeniedError
  ) {
    return new AgentModelAuthError(error);
  }
  if (error instanceof OpenAI.RateLimitError) return new AgentModelRateLimitedError(error);
  if (error instanceof OpenAI.APIConnectionError || error instanceof OpenAI.InternalServerError) {
    return new AgentModelUnavailableError(error);
  }
  return new AgentFailedError(error);
}
