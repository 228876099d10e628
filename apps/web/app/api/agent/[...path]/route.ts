import { toNextHandlers } from "handoff-bff/next";
import { agentProxy } from "@/lib/handoff";

// The route-handler path to /api/agent (lib/handoff.ts), for hosts without the front door
// (server.mjs serves the mount itself, before Next routes it).
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = toNextHandlers(agentProxy());
