// A custom server as the getting-started guide shows it: the front door before a Next.js
// production build (examples/next). Run by next.test.ts:
//   node test/front-door-next.mjs <next app dir> <port> <upstream url>
import { cookieToken, createProxy } from "handoff-bff";
import { serveWithNext } from "handoff-bff/node";

const [dir, port, upstream] = process.argv.slice(2);
const proxy = createProxy({ upstream, mount: "/api/proxy", token: cookieToken("auth_token") });
// `next` as options: serveWithNext loads Next.js itself.
await serveWithNext({
  next: { dev: false, dir },
  proxies: [proxy],
  port: Number(port),
  hostname: "127.0.0.1",
});
