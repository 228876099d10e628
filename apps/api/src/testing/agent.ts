/**
 * Test fixture for the agent and MCP tests: the whole API (`startTestApi`) on PGlite with a
 * given brain, plus a chat client, an SSE reader and an MCP client. Not imported by application
 * code.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { AgentEvent } from "../agent/events.js";
import type { AgentRoutesDeps, Brain } from "../agent/index.js";
import type { AgentSessionStore } from "../agent/sessions.js";
import type { Database } from "../database.js";
import { startTestApi } from "./api.js";
import type { DatabaseKind } from "./db.js";
import { sign } from "./issuer.js";
import type { LogCapture } from "./logs.js";
import { readSse } from "./sse.js";

export interface AgentTestApi {
  readonly url: URL;
  readonly db: Database;
  readonly logs: LogCapture;
  /** A bearer token for `user` of `tenant`. */
  token(tenant: string, user?: string): Promise<string>;
  /** `POST /v1/agent/chat` as the holder of `token`. */
  chat(token: string | undefined, body: unknown, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/**
 * Starts the whole API on 127.0.0.1 with `brain`, for the agent and MCP tests: on PGlite with
 * conversations in it unless `options` say otherwise (`sessions` may be built on the database).
 *
 * @example
 * ```ts
 * const api = await startAgentTestApi(createBuiltinBrain());
 * const events = await readAllEvents(await api.chat(await api.token("tenant_a"), { message: "help" }));
 * ```
 */
export async function startAgentTestApi(
  brain: Brain,
  options: Partial<Pick<AgentRoutesDeps, "heartbeatMs">> & {
    sessions?: AgentSessionStore | ((db: Database) => AgentSessionStore);
    kind?: DatabaseKind;
  } = {},
): Promise<AgentTestApi> {
  const { sessions, kind = "pglite", ...agent } = options;
  const api = await startTestApi(kind, {
    brain,
    agent: typeof sessions === "function" ? agent : { ...agent, sessions },
    ...(typeof sessions === "function" ? { sessions } : {}),
    logLevel: "debug",
    drainTimeoutMs: 1_000,
  });
  return {
    url: api.url,
    db: api.db,
    logs: api.logs,
    token: (tenant, user = `${tenant}_user`) => sign(api.key, { tenant_id: tenant, sub: user }),
    chat: (token, body, init = {}) =>
      fetch(new URL("/v1/agent/chat", api.url), {
        method: "POST",
        ...init,
        headers: {
          "content-type": "application/json",
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        },
        body: typeof body === "string" ? body : JSON.stringify(body),
      }),
    close: api.close,
  };
}

/** An event as read off the wire; `type` is the `event:` field. */
export type WireEvent = AgentEvent;

/**
 * Reads the agent's events from a response as they arrive (comments are skipped), with the one
 * SSE parser of the tests ({@link readSse}); `data` is the JSON of each event.
 *
 * @example
 * ```ts
 * for await (const event of readEvents(response)) if (event.type === "done") break;
 * ```
 */
export async function* readEvents(response: Response): AsyncGenerator<WireEvent> {
  for await (const { event, data } of readSse(response)) {
    if (event !== undefined) yield { type: event, data: JSON.parse(data) } as WireEvent;
  }
}

/** Every event of a response, once the stream has ended. */
export async function readAllEvents(response: Response): Promise<WireEvent[]> {
  const events: WireEvent[] = [];
  for await (const event of readEvents(response)) events.push(event);
  return events;
}

/** The answer text: every `delta` joined. */
export function answerOf(events: readonly WireEvent[]): string {
  return events.map((event) => (event.type === "delta" ? event.data.text : "")).join("");
}

/**
 * An MCP client of the real SDK, connected over Streamable HTTP to `/mcp` with the bearer token
 * on every request.
 *
 * @example
 * ```ts
 * const client = await connectMcp(api.url, await api.token("tenant_a"));
 * await client.callTool({ name: "list_tasks", arguments: {} });
 * ```
 */
export async function connectMcp(url: URL, bearer: string): Promise<Client> {
  const client = new Client({ name: "test-client", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL("/mcp", url), {
    requestInit: { headers: { authorization: `Bearer ${bearer}` } },
  });
  await client.connect(transport);
  return client;
}
