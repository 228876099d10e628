import { toNextHandlers } from "handoff-bff/next";
import { chatkitProxy } from "@/lib/handoff";

// The route-handler path to /api/chatkit, ChatKit's flow 3 (lib/handoff.ts), for hosts without
// the front door. Only this exact path is forwarded: /api/chatkit/start and /refresh are flow
// 1's own routes.
export const { POST } = toNextHandlers(chatkitProxy());
