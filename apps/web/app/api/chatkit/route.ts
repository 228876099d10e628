import { createProxy } from "handoff-bff";
import { toNextHandlers } from "handoff-bff/next";
import { apiUrl, logProblems, rateLimit, sessionToken } from "@/lib/handoff";

// ChatKit's custom-backend flow (flow 3): the ChatKit client POSTs its protocol to /api/chatkit;
// Handoff adds the session's JWT and forwards to {API_URL}/chatkit, streaming the answers back.
// Only this exact path is forwarded: /api/chatkit/start and /refresh are flow 1's own routes.
const proxy = createProxy({
  upstream: `${apiUrl()}/chatkit`,
  mount: "/api/chatkit",
  token: sessionToken,
  rateLimit: rateLimit(),
  logger: logProblems,
});

export const { POST } = toNextHandlers(proxy);
