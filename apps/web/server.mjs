// The dashboard's production server: Handoff's front door before Next.js, in one process on
// one port. /api/proxy, /api/agent and /api/chatkit go straight to their proxies (raw path and
// query byte for byte, the socket's address for X-Forwarded-For and the per-IP limit);
// everything else goes to Next untouched. Run `next build` first, then `node server.mjs`.
//
// Plain JavaScript, not bundled by Next: the proxies and the runtime are Next's own modules
// (lib/front-door.ts), reached through the function instrumentation.ts leaves on globalThis
// once Next has prepared, so the front door and the route handlers share one runtime, one
// Better Auth and one set of stores, and nothing is compiled twice.
//
// Environment: PORT (3000), HOST (127.0.0.1, as this app's start script always used),
// NODE_ENV (production). Not HOSTNAME, which Next's standalone server reads: containers and
// some shells export it as the machine's name, which would bind to an outside address.
import http from "node:http";
import { fileURLToPath } from "node:url";
import { createFrontDoor } from "handoff-bff/node";

// Before Next and React load: both pick their production builds by it (`next start` does so).
process.env.NODE_ENV ||= "production";
// As instrumentation.ts does, but before Next writes its first file.
process.umask(0o077);

const port = Number.parseInt(process.env.PORT ?? "", 10) || 3000;
const hostname = process.env.HOST || "127.0.0.1";
const dir = fileURLToPath(new URL(".", import.meta.url));

const { default: next } = await import("next");
const app = next({ dev: false, dir, hostname, port });
// Runs instrumentation.ts's register(): the umask, the draining flag, the front door's hook.
await app.prepare();
const hook = globalThis[Symbol.for("taskflow.web.front-door")];
if (typeof hook !== "function") {
  throw new Error("instrumentation.ts did not run: build the app first (next build)");
}
const { proxies } = await hook();
const door = createFrontDoor({
  proxies,
  fallback: { request: app.getRequestHandler(), upgrade: app.getUpgradeHandler() },
});
const server = http.createServer(door.listener);
// Next's request handler adds an upgrade listener of its own to the server of the first request
// it serves (next/dist/server/next.js, setupWebSocketHandler), which would answer every upgrade
// a second time, ending the proxies' WebSockets (/api/proxy/api/tasks/live). The front door
// already gives Next the upgrades outside the mounts (fallback.upgrade): its must be the only one.
server.on("newListener", (event, listener) => {
  if (event === "upgrade" && listener !== door.upgrade) {
    process.nextTick(() => server.off("upgrade", listener));
  }
});
server.on("upgrade", door.upgrade);
await new Promise((resolve, reject) => {
  server.once("error", reject);
  server.listen(port, hostname, () => {
    server.off("error", reject);
    resolve();
  });
});
console.log(`▲ TaskFlow web (front door) on http://${hostname}:${port}`);

// As `next start` does: stop accepting (idle keep-alive connections close too), finish the
// requests in flight, close Next, exit with
// 128 + the signal's number. /api/ready already answers 503 (instrumentation.ts); the database
// closes on the signal and Redis on exit (lib/runtime.ts). NEXT_MANUAL_SIG_HANDLE: none at all.
if (!process.env.NEXT_MANUAL_SIG_HANDLE) {
  let stopping = false;
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ]) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      server.close(async (error) => {
        if (error) console.error(error);
        await app.close().catch(console.error);
        process.exit(code);
      });
    });
  }
}
