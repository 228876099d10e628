/**
 * Test fixture: a stand-in for OpenAI's Chat Completions API on 127.0.0.1, so the model brain
 * runs the real `openai` SDK over a real socket. It speaks the documented streaming wire format:
 * `POST /v1/chat/completions` with `stream: true` answers `text/event-stream`, one
 * `data: <chat.completion.chunk JSON>\n\n` per chunk, then `data: [DONE]\n\n`; errors are JSON
 * `{ error: { message, type, param, code } }` with the status OpenAI uses. Tests script each
 * answer as a queue of turns, and can hold a stream open at any point with a promise.
 * Not imported by application code.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { encodeSse } from "../sse.js";

/** A piece of a streamed answer, or a promise to wait for before the next piece. */
type Step = string | Promise<unknown>;

/** One tool call, its arguments sent in the given fragments (one chunk each). */
interface ScriptedCall {
  id: string;
  name: string;
  argumentChunks: readonly Step[];
}

/** One scripted answer, consumed by one request. */
type Turn =
  /** Streams `tokens` as `content` deltas, then finishes with `finishReason`. */
  | { kind: "text"; tokens: readonly Step[]; finishReason?: "stop" | "length" }
  /** Streams tool calls (after optional text), then finishes with `tool_calls`. */
  | { kind: "tool_calls"; calls: readonly ScriptedCall[]; tokens?: readonly Step[] }
  /** Answers an error status with OpenAI's error body. */
  | { kind: "error"; status: 400 | 401 | 429 | 500 }
  /** Never answers, not even headers. */
  | { kind: "hang" };

/** A request the stand-in received. */
interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  /** The parsed JSON body: `model`, `messages`, `tools`, `stream`… */
  body: {
    model?: string;
    stream?: boolean;
    messages?: Array<Record<string, unknown>>;
    tools?: Array<{
      type: string;
      function: { name: string; description?: string; parameters?: unknown };
    }>;
  };
}

export interface OpenAIStandin {
  /** The base URL to give the SDK (`…/v1`). */
  readonly baseURL: string;
  /** The only key it accepts. */
  readonly apiKey: string;
  readonly requests: RecordedRequest[];
  /** Adds answers, consumed one per request, in order. */
  enqueue(...turns: Turn[]): void;
  /** Resolves when a client closes a connection before its answer ended. */
  nextAbort(): Promise<RecordedRequest>;
  close(): Promise<void>;
}

const MODEL_ECHO = "gpt-4.1-mini-2025-04-14";

/**
 * Starts the stand-in on an ephemeral port.
 *
 * @example
 * ```ts
 * const openai = await startOpenAIStandin();
 * openai.enqueue({ kind: "text", tokens: ["Hello", " there"] });
 * const client = new OpenAI({ apiKey: openai.apiKey, baseURL: openai.baseURL });
 * ```
 */
export async function startOpenAIStandin(
  apiKey = "sk-standin-secret-0123456789",
): Promise<OpenAIStandin> {
  const queue: Turn[] = [];
  const requests: RecordedRequest[] = [];
  const open = new Set<ServerResponse>();
  let abortWaiters: Array<(request: RecordedRequest) => void> = [];
  let sequence = 0;

  const server = createServer(async (req, res) => {
    open.add(res);
    const body = await readJson(req);
    const recorded: RecordedRequest = {
      method: req.method ?? "",
      path: req.url ?? "",
      authorization: req.headers.authorization,
      body: (body ?? {}) as RecordedRequest["body"],
    };
    requests.push(recorded);
    res.on("close", () => {
      open.delete(res);
      if (!res.writableFinished) {
        const waiters = abortWaiters;
        abortWaiters = [];
        for (const resolve of waiters) resolve(recorded);
      }
    });

    if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
      return fail(
        res,
        404,
        "invalid_request_error",
        null,
        `Unknown request URL: ${req.method} ${req.url}.`,
      );
    }
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      // OpenAI quotes (part of) the key it refused: the agent must never pass this message on.
      const sent = (req.headers.authorization ?? "").replace(/^Bearer /, "");
      return fail(
        res,
        401,
        "invalid_request_error",
        "invalid_api_key",
        `Incorrect API key provided: ${sent}. You can find your API key at https://platform.openai.com/account/api-keys.`,
      );
    }
    const turn = queue.shift();
    if (turn === undefined) {
      return fail(res, 500, "server_error", null, "The stand-in has no scripted answer left.");
    }
    if (turn.kind === "hang") return;
    if (turn.kind === "error") {
      if (turn.status === 429) {
        return fail(
          res,
          429,
          "requests",
          "rate_limit_exceeded",
          "Rate limit reached for requests.",
        );
      }
      if (turn.status === 500) {
        return fail(
          res,
          500,
          "server_error",
          null,
          "The server had an error while processing your request. Sorry about that!",
        );
      }
      return fail(res, turn.status, "invalid_request_error", null, "Invalid request.");
    }

    sequence += 1;
    const id = `chatcmpl-standin${sequence}`;
    const created = Math.floor(Date.now() / 1000);
    const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) =>
      encodeSse({
        data: JSON.stringify({
          id,
          object: "chat.completion.chunk",
          created,
          model: MODEL_ECHO,
          system_fingerprint: "fp_standin",
          choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
        }),
      });
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
    });
    const write = (text: string) => {
      if (!res.destroyed) res.write(text);
    };
    write(chunk({ role: "assistant", content: "", refusal: null }));
    for (const step of turn.tokens ?? []) {
      if (typeof step !== "string") await step;
      else write(chunk({ content: step }));
    }
    if (turn.kind === "tool_calls") {
      for (const [index, call] of turn.calls.entries()) {
        write(
          chunk({
            tool_calls: [
              {
                index,
                id: call.id,
                type: "function",
                function: { name: call.name, arguments: "" },
              },
            ],
          }),
        );
        for (const step of call.argumentChunks) {
          if (typeof step !== "string") await step;
          else write(chunk({ tool_calls: [{ index, function: { arguments: step } }] }));
        }
      }
    }
    write(chunk({}, turn.kind === "tool_calls" ? "tool_calls" : (turn.finishReason ?? "stop")));
    write(encodeSse({ data: "[DONE]" }));
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    apiKey,
    requests,
    enqueue: (...turns) => {
      queue.push(...turns);
    },
    nextAbort: () => new Promise((resolve) => abortWaiters.push(resolve)),
    close() {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return undefined;
  }
}

/** OpenAI's error body: `{ error: { message, type, param, code } }`. */
function fail(
  res: ServerResponse,
  status: number,
  type: string,
  code: string | null,
  message: string,
): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: { message, type, param: null, code } }));
}
