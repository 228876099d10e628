import { createProxy } from "handoff-bff";
import { toNextHandlers } from "handoff-bff/next";
import { apiUrl, logProblems, rateLimit, sessionToken } from "@/lib/handoff";

// The agent's own mapping: /api/agent/chat → {API_URL}/v1/agent/chat, and nothing else of the
// API is reachable through it. The chat answers with an event stream, passed on as it arrives.
const proxy = createProxy({
  upstream: `${apiUrl()}/v1/agent`,
  mount: "/api/agent",
  token: sessionToken,
  rateLimit: rateLimit(),
  logger: logProblems,
});

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = toNextHandlers(proxy);
