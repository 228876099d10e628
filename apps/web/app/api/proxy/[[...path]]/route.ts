import { toNextHandlers } from "handoff-bff/next";
import { apiProxy } from "@/lib/handoff";

// The route-handler path to /api/proxy (lib/handoff.ts): under server.mjs the front door serves
// the mount before Next routes it, and this file is reached only where there is no custom
// server (a serverless host, `next start`). The optional catch-all also serves the bare mount.
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = toNextHandlers(apiProxy());
