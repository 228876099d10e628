import { createProxy } from "handoff-bff";
import { toNextHandlers } from "handoff-bff/next";
import { apiUrl, logProblems, rateLimit, sessionToken } from "@/lib/handoff";

// Everything under /api/proxy goes to the API's root: /api/proxy/api/tasks → {API_URL}/api/tasks.
// The optional catch-all also serves the bare mount. CSRF defence is on (the default); no
// session → 401, before the API is contacted.
const proxy = createProxy({
  upstream: apiUrl(),
  mount: "/api/proxy",
  token: sessionToken,
  rateLimit: rateLimit(),
  logger: logProblems,
});

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = toNextHandlers(proxy);
