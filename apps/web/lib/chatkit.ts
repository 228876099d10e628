import { type ChatKitSessions, createChatKitSessions } from "handoff-bff/chatkit";
import { getRuntime } from "./runtime";

// One instance per process, shared by /start and /refresh: Next may load a module once per
// route bundle, and refresh only accepts secrets its own store issued.
const KEY = Symbol.for("taskflow.web.chatkit-sessions");
const shared = globalThis as { [KEY]?: ChatKitSessions };

/**
 * ChatKit flow 1: mints client secrets for the signed-in Better Auth user through the ChatKit
 * Sessions API (`OPENAI_API_KEY`, `CHATKIT_WORKFLOW_ID`, `CHATKIT_API_BASE`). Made on the first
 * request, so `next build` needs none of them; throws `ERR_INVALID_CONFIG` when unconfigured.
 */
export function chatkitSessions(): ChatKitSessions {
  shared[KEY] ??= createChatKitSessions({
    apiKey: process.env.OPENAI_API_KEY?.trim() ?? "",
    workflowId: process.env.CHATKIT_WORKFLOW_ID?.trim() ?? "",
    apiBase: process.env.CHATKIT_API_BASE?.trim() || undefined,
    // The stable user id of the session: never anything the browser sent.
    user: async (request) =>
      (await (await getRuntime()).auth.api.getSession({ headers: request.headers }))?.user.id ??
      null,
    rateLimit: { perSession: { limit: 20, windowSeconds: 60 } },
  });
  return shared[KEY];
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
