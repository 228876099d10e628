// The front door target: a custom server with createFrontDoor before the same Next.js build
// that `next start` serves. /api/proxy/* goes to the Handoff proxy (the same options as the
// route handler in next-app/app/api/proxy), everything else to Next.js.
//   node front-door.mjs <port>    (cwd: bench/, BENCH_UPSTREAM set)
import { fileURLToPath } from "node:url";
import { cookieToken, createProxy } from "handoff-bff";
import { serveWithNext } from "handoff-bff/node";
import next from "next";

const port = Number(process.argv[2]);
const proxy = createProxy({
  upstream: process.env.BENCH_UPSTREAM ?? "http://127.0.0.1:8100",
  mount: "/api/proxy",
  token: cookieToken("auth_token"),
});
const dir = fileURLToPath(new URL("./next-app", import.meta.url));
await serveWithNext({
  next: next({ dev: false, dir, hostname: "127.0.0.1", port }),
  proxies: [proxy],
  port,
  hostname: "127.0.0.1",
});
