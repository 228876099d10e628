import type { HandoffProxy } from "handoff-bff";
import { chatkitSessionRoute } from "./chatkit";
import { agentProxy, apiProxy, chatkitProxy } from "./handoff";
import { markServedByFrontDoor } from "./live-updates";
import { getRuntime } from "./runtime";

/**
 * What server.mjs serves in front of Next: the same three proxies as the route handlers
 * (lib/handoff.ts), over the runtime the routes use, started here once rather than by the first
 * request. A runtime that fails to start (a locked database, Redis not there yet) is logged and
 * retried on the next request, as under the route handlers: the server still comes up, and
 * `/api/ready` answers 503 until it works. It also tells the dashboard that WebSockets reach
 * the API here (lib/live-updates.ts): `/api/proxy` relays them under the front door only.
 *
 * @example
 * ```ts
 * const { proxies } = await startFrontDoor();
 * ```
 */
export async function startFrontDoor(): Promise<{ proxies: HandoffProxy[] }> {
  try {
    await getRuntime();
  } catch (error) {
    console.error(`the runtime did not start, retried on the next request: ${describe(error)}`);
  }
  markServedByFrontDoor();
  return { proxies: [apiProxy(), agentProxy(), chatkitMount(chatkitProxy())] };
}

/**
 * The front door gives a mount every path under it, so `/api/chatkit/start` and `/refresh`
 * (ChatKit flow 1, lib/chatkit.ts) would reach the flow-3 proxy. The route handlers forward the
 * exact path only; this keeps that split: the mount to the proxy, flow 1's two paths to their
 * handlers (POST only, as their routes), anything else under the mount 404.
 */
function chatkitMount(proxy: HandoffProxy): HandoffProxy {
  return {
    mount: proxy.mount,
    async handle(request, context) {
      const path = (context?.rawTarget ?? new URL(request.url).pathname).split("?")[0];
      if (path === "/api/chatkit") return proxy.handle(request, context);
      const flow =
        path === "/api/chatkit/start"
          ? "start"
          : path === "/api/chatkit/refresh"
            ? "refresh"
            : null;
      if (flow === null) return new Response(null, { status: 404 });
      if (request.method !== "POST")
        return new Response(null, { status: 405, headers: { allow: "POST" } });
      return chatkitSessionRoute(request, flow);
    },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : "unknown error";
}
