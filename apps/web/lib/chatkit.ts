import {
  type ChatKitSessionStore,
  type ChatKitSessions,
  createChatKitSessions,
} from "handoff-bff/chatkit";
import { getRuntime, type Runtime } from "./runtime";

// One instance per process, shared by /start and /refresh: Next may load a module once per
// route bundle. The bindings themselves live in the runtime's store (Redis with REDIS_URL), so
// a secret started on one instance refreshes on any.
const KEY = Symbol.for("taskflow.web.chatkit-sessions");
const shared = globalThis as { [KEY]?: ChatKitSessions };

/**
 * ChatKit flow 1: mints client secrets for the signed-in Better Auth user through the ChatKit
 * Sessions API (`OPENAI_API_KEY`, `CHATKIT_WORKFLOW_ID`, `CHATKIT_API_BASE`). Made on the first
 * request, so `next build` needs none of them; throws `ERR_INVALID_CONFIG` when unconfigured.
 */
function chatkitSessions(): ChatKitSessions {
  shared[KEY] ??= appChatKitSessions(process.env, getRuntime);
  return shared[KEY];
}

/**
 * Flow 1's handlers over a runtime (its Better Auth for the user, its store for the bindings),
 * reached per call: the runtime starts on the first request. Tests pass two runtimes' getters
 * to stand for two instances.
 *
 * @example
 * ```ts
 * const sessions = appChatKitSessions(process.env, getRuntime);
 * ```
 */
export function appChatKitSessions(
  env: Readonly<Record<string, string | undefined>>,
  runtime: () => Promise<Pick<Runtime, "auth" | "stores">>,
): ChatKitSessions {
  return createChatKitSessions({
    apiKey: env.OPENAI_API_KEY?.trim() ?? "",
    workflowId: env.CHATKIT_WORKFLOW_ID?.trim() ?? "",
    apiBase: env.CHATKIT_API_BASE?.trim() || undefined,
    // The stable user id of the session: never anything the browser sent.
    user: async (request) =>
      (await (await runtime()).auth.api.getSession({ headers: request.headers }))?.user.id ?? null,
    rateLimit: {
      perSession: { limit: 20, windowSeconds: 60 },
      store: {
        hit: async (key, windowMs) => (await runtime()).stores.chatkitLimits.hit(key, windowMs),
      },
    },
    store: runtimeStore(runtime),
  });
}

/** The runtime's ChatKit store, reached per call. */
function runtimeStore(runtime: () => Promise<Pick<Runtime, "stores">>): ChatKitSessionStore {
  const store = async () => (await runtime()).stores.chatkit;
  return {
    get: async (key) => (await store()).get(key),
    set: async (key, session, ttlSeconds) => (await store()).set(key, session, ttlSeconds),
    delete: async (key) => (await store()).delete(key),
    // Claims a binding atomically where the store can (Redis GETDEL): one refresh per secret.
    async take(key) {
      const bindings = await store();
      if (bindings.take !== undefined) return bindings.take(key);
      const session = await bindings.get(key);
      if (session !== undefined && session !== null) await bindings.delete(key);
      return session;
    },
  };
}

/** Answers a request with flow 1's handler, or 503 problem+json when flow 1 is not configured. */
export async function chatkitSessionRoute(
  request: Request,
  handler: "start" | "refresh",
): Promise<Response> {
  let sessions: ChatKitSessions;
  try {
    sessions = chatkitSessions();
  } catch {
    return Response.json(
      {
        type: "https://handoff.dev/errors/ERR_INVALID_CONFIG",
        title: "ChatKit client secrets are not configured",
        status: 503,
        detail:
          "Set OPENAI_API_KEY and CHATKIT_WORKFLOW_ID on the server to use ChatKit's hosted workflow (flow 1).",
        code: "ERR_INVALID_CONFIG",
      },
      {
        status: 503,
        headers: { "content-type": "application/problem+json", "cache-control": "no-store" },
      },
    );
  }
  return sessions[handler](request);
}
