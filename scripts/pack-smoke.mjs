#!/usr/bin/env node
// Proves that `npm pack` of packages/handoff-bff makes a working package: packs it, installs the
// tarball into an empty project (its dependencies from the registry), and runs a proxy from
// it between two real servers on 127.0.0.1. Every entry is imported; an error made by the
// workspace's own build (a second copy) must be recognised by the packed one. Expects
// packages/handoff-bff/dist to be built.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const packageDir = new URL("../packages/handoff-bff/", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "handoff-pack-"));
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });

try {
  run("npm", ["pack", "--silent", "--pack-destination", work], packageDir);
  const tarball = readdirSync(work).find((name) => name.endsWith(".tgz"));
  if (!tarball) throw new Error("npm pack wrote no tarball");
  writeFileSync(
    join(work, "package.json"),
    '{ "name": "smoke", "private": true, "type": "module" }',
  );
  run("npm", ["install", "--silent", "--no-audit", "--no-fund", `./${tarball}`], work);
  writeFileSync(
    join(work, "smoke.mjs"),
    `import http from "node:http";
import { authjsToken, cookieToken, createProxy, errors, HandoffError, isHandoffError } from "handoff-bff";
import { createChatKitSessions, memorySessionStore } from "handoff-bff/chatkit";
import { createChatKitFetch, createClientSecretGetter } from "handoff-bff/chatkit/client";
import { createFetch, errorCode, readEvents } from "handoff-bff/client";
import { toNextHandlers, toNextOidcHandlers } from "handoff-bff/next";
import { createFrontDoor, nodeTransport, serveWithNext, toNodeListener } from "handoff-bff/node";
import { createOidc } from "handoff-bff/oidc";
import { redisChatKitSessionStore, redisRateLimitStore, redisRefreshLock, redisRevocation, redisSessionStore } from "handoff-bff/redis";

const upstream = http.createServer((req, res) => res.end(JSON.stringify({ url: req.url, auth: req.headers.authorization })));
await new Promise((r) => upstream.listen(0, "127.0.0.1", r));
const proxy = createProxy({ upstream: "http://127.0.0.1:" + upstream.address().port + "/v1", mount: "/api", token: cookieToken("sid"), transport: nodeTransport() });
const door = createFrontDoor({ proxies: [proxy], fallback: { request: (req, res) => res.end("app:" + req.url) } });
const front = http.createServer(door.listener).on("upgrade", door.upgrade);
await new Promise((r) => front.listen(0, "127.0.0.1", r));
const answer = await (await fetch("http://127.0.0.1:" + front.address().port + "/api/tasks?x=1", { headers: { cookie: "sid=packed" } })).json();
if (answer.url !== "/v1/tasks?x=1" || answer.auth !== "Bearer packed") throw new Error("unexpected: " + JSON.stringify(answer));
const app = await (await fetch("http://127.0.0.1:" + front.address().port + "/apix?y=1")).text();
if (app !== "app:/apix?y=1") throw new Error("front door fallback: " + app);
if (typeof toNodeListener(proxy) !== "function" || typeof serveWithNext !== "function") throw new Error("handoff-bff/node is broken");
if (typeof toNextHandlers(proxy).GET !== "function" || typeof authjsToken({ secret: "s" }) !== "function") throw new Error("exports missing");
const oidc = createOidc({ issuer: "https://id.example", clientId: "app", redirectUri: "https://app.example/auth/callback", appOrigin: "https://app.example", session: { secret: "0123456789abcdef0123456789abcdef" } });
if (typeof oidc.handle !== "function" || typeof oidc.token !== "function") throw new Error("handoff-bff/oidc is broken");
for (const fn of [createChatKitSessions, memorySessionStore, createChatKitFetch, createClientSecretGetter, createFetch, readEvents, redisChatKitSessionStore, redisRateLimitStore, redisRevocation, redisSessionStore, redisRefreshLock, toNextOidcHandlers]) {
  if (typeof fn !== "function") throw new Error("an entry's export is missing");
}
const limited = new errors.RateLimitedError("ip", 1, 60, 1);
if (!(limited instanceof HandoffError) || !isHandoffError(limited) || errorCode(limited) !== "ERR_RATE_LIMITED") throw new Error("errors namespace broken");
if ("RateLimitedError" in (await import("handoff-bff"))) throw new Error("error classes leak to the root");
const otherCopy = await import(${JSON.stringify(new URL("../packages/handoff-bff/dist/index.node.js", import.meta.url).href)});
const foreign = new otherCopy.errors.UnauthenticatedError();
if (!(foreign instanceof HandoffError) || !isHandoffError(foreign)) throw new Error("another copy's error is not recognised");
front.close(); upstream.close();
console.log("packed handoff works:", JSON.stringify(answer));
`,
  );
  process.stdout.write(run("node", ["smoke.mjs"], work));
} finally {
  rmSync(work, { recursive: true, force: true });
}
