import { randomBytes } from "node:crypto";
import type http from "node:http";
import { type Seen, startUpstream, type TestServer } from "./helpers.js";

/**
 * A stand-in for OpenAI's ChatKit Sessions API on 127.0.0.1, as documented
 * (https://platform.openai.com/docs/api-reference/chatkit/sessions):
 * - `POST …/v1/chatkit/sessions` checks `Authorization: Bearer <key>`,
 *   `OpenAI-Beta: chatkit_beta=v1`, `Content-Type: application/json` and the body
 *   (`workflow.id`, a non-empty `user`, only documented members), then answers a
 *   `chatkit.session` object;
 * - `POST …/v1/chatkit/sessions/{id}/cancel` marks the session cancelled and answers it.
 * Anything it does not accept is answered 400 and listed in `violations`.
 */
export interface ChatKitStandIn extends TestServer {
  /** Sessions created, by id. */
  sessions: Map<string, StandInSession>;
  /** Ids of cancelled sessions, in order. */
  cancelled: string[];
  /** Why requests were refused; a test that expects none asserts `[]`. */
  violations: string[];
  /** Requests to `/sessions` (mint) only. */
  creates(): Seen[];
  /** How the next create answers: normally, or a failure mode. */
  createMode: Mode;
  /** How cancels answer. */
  cancelMode: Mode;
}

type Mode = "ok" | 401 | 429 | 500 | "hang" | "malformed" | "redirect";

interface StandInSession {
  id: string;
  object: "chatkit.session";
  client_secret: string;
  expires_at: number;
  workflow: { id: string; version: null; state_variables: null; tracing: { enabled: boolean } };
  user: string;
  rate_limits: { max_requests_per_1_minute: number };
  max_requests_per_1_minute: number;
  status: "active" | "expired" | "cancelled";
  chatkit_configuration: Record<string, unknown>;
}

/** What OpenAI answers for a wrong key: the message quotes part of the key. */
function invalidKeyBody(apiKey: string): string {
  return JSON.stringify({
    error: {
      message: `Incorrect API key provided: ${apiKey.slice(0, 8)}***${apiKey.slice(-4)}.`,
      type: "invalid_request_error",
      param: null,
      code: "invalid_api_key",
    },
  });
}

const DOCUMENTED = new Set([
  "workflow",
  "user",
  "expires_after",
  "rate_limits",
  "chatkit_configuration",
]);

export async function startChatKitStandIn(options: {
  apiKey: string;
  workflowId: string;
  /** Where redirects point (`createMode: "redirect"`). */
  redirectTo?: string;
}): Promise<ChatKitStandIn> {
  let count = 0;
  const state = {
    sessions: new Map<string, StandInSession>(),
    cancelled: [] as string[],
    violations: [] as string[],
    createMode: "ok" as Mode,
    cancelMode: "ok" as Mode,
  };
  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "x-request-id": `req_${count}` });
    res.end(text);
  };
  const refuse = (res: http.ServerResponse, why: string) => {
    state.violations.push(why);
    json(res, 400, { error: { message: why, type: "invalid_request_error" } });
  };
  const failure = (res: http.ServerResponse, mode: Mode): boolean => {
    if (mode === "ok") return false;
    if (mode === "hang") return true; // never answers
    if (mode === "malformed") json(res, 200, { id: "cksess_x", object: "chatkit.session" });
    else if (mode === "redirect") {
      res.writeHead(307, { location: options.redirectTo ?? "http://127.0.0.1:9/" });
      res.end();
    } else if (mode === 401) json(res, 401, invalidKeyBody(options.apiKey));
    else json(res, mode, { error: { message: "boom", type: "server_error", code: null } });
    return true;
  };

  const server = await startUpstream((req, res, seen) => {
    const h = req.headers;
    if (req.method !== "POST") return refuse(res, `method ${req.method}`);
    if (h.authorization !== `Bearer ${options.apiKey}`) return refuse(res, "authorization");
    if (h["openai-beta"] !== "chatkit_beta=v1") return refuse(res, "openai-beta");
    const cancel = /\/v1\/chatkit\/sessions\/([^/]+)\/cancel$/.exec(req.url ?? "");
    if (cancel) {
      if (failure(res, state.cancelMode)) return;
      const session = state.sessions.get(decodeURIComponent(cancel[1] as string));
      if (!session) return json(res, 404, { error: { message: "No such session" } });
      session.status = "cancelled";
      state.cancelled.push(session.id);
      return json(res, 200, session);
    }
    if (!/\/v1\/chatkit\/sessions$/.test(req.url ?? "")) return refuse(res, `path ${req.url}`);
    if (h["content-type"] !== "application/json") return refuse(res, "content-type");
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(seen.body.toString("utf8"));
    } catch {
      return refuse(res, "body is not JSON");
    }
    const workflow = body.workflow as { id?: unknown } | undefined;
    if (workflow?.id !== options.workflowId) return refuse(res, "workflow.id");
    if (typeof body.user !== "string" || body.user === "") return refuse(res, "user");
    const unknown = Object.keys(body).filter((key) => !DOCUMENTED.has(key));
    if (unknown.length > 0) return refuse(res, `unknown members ${unknown.join(", ")}`);
    if (failure(res, state.createMode)) return;

    count += 1;
    const expiresAfter = body.expires_after as { seconds?: number } | undefined;
    const rateLimits = body.rate_limits as { max_requests_per_1_minute?: number } | undefined;
    const perMinute = rateLimits?.max_requests_per_1_minute ?? 10;
    const session: StandInSession = {
      id: `cksess_${count}`,
      object: "chatkit.session",
      client_secret: `ek_${randomBytes(18).toString("base64url")}`,
      expires_at: Math.floor(Date.now() / 1000) + (expiresAfter?.seconds ?? 600),
      workflow: {
        id: options.workflowId,
        version: null,
        state_variables: null,
        tracing: { enabled: true },
      },
      user: body.user,
      rate_limits: { max_requests_per_1_minute: perMinute },
      max_requests_per_1_minute: perMinute,
      status: "active",
      chatkit_configuration: (body.chatkit_configuration as Record<string, unknown>) ?? {
        automatic_thread_titling: { enabled: true },
        file_upload: { enabled: false, max_file_size: null, max_files: null },
        history: { enabled: true, recent_threads: null },
      },
    };
    state.sessions.set(session.id, session);
    json(res, 200, session);
  });

  return Object.assign(state, {
    url: server.url,
    port: server.port,
    seen: server.seen,
    close: server.close,
    creates: () => server.seen.filter((seen) => /\/v1\/chatkit\/sessions$/.test(seen.url)),
  });
}

export const API_KEY = "sk-test-4f9c2e7a1b-do-not-leak";
export const WORKFLOW_ID = "wf_68e5a1b2c3d4";
export const APP = "http://app.test";

/** Signed-in users by session cookie value: the handlers' `user` option reads these. */
const USERS: Record<string, string> = { "sid-alice": "user_alice", "sid-bob": "user_bob" };

/** The `user` option of the tests: the session cookie `sid` decides, as Better Auth's would. */
export function userFromCookie(request: Request): string | null {
  const sid = /(?:^|;\s*)sid=([^;]*)/.exec(request.headers.get("cookie") ?? "")?.[1];
  return sid === undefined ? null : (USERS[sid] ?? null);
}

/** A same-origin browser POST to the app, as `fetch` from one of its pages sends it. */
export function appPost(
  path: string,
  options: { as?: "alice" | "bob"; json?: unknown; headers?: Record<string, string> } = {},
): Request {
  const headers: Record<string, string> = {
    origin: APP,
    "sec-fetch-site": "same-origin",
    ...(options.as ? { cookie: `sid=sid-${options.as}; theme=dark` } : {}),
    ...(options.json === undefined ? {} : { "content-type": "application/json" }),
    ...options.headers,
  };
  return new Request(`${APP}${path}`, {
    method: "POST",
    headers,
    ...(options.json === undefined ? {} : { body: JSON.stringify(options.json) }),
  });
}
