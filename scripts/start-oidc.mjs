#!/usr/bin/env node
// `npm run start:oidc`: the OpenID Connect example (examples/oidc) with everything it needs, on
// one machine, offline and with no accounts:
// - the library and the example are built when their sources are newer than their build (a
//   second start, with another PORT, reuses the build: APP_URL is read at run time);
// - without OIDC_ISSUER, the example's DEVELOPMENT-ONLY provider (examples/oidc/dev-provider.mjs)
//   on 127.0.0.1:$OIDC_DEV_PORT, with the client registered for $APP_URL;
// - without API_URL, the TaskFlow API (apps/api) on 127.0.0.1:$API_PORT, verifying the
//   provider's JWT access tokens (audience taskflow-api) against its JWKS;
// - the example itself (`next start`) on $HOST:$PORT.
// SESSION_SECRET, when unset, is generated into $DATA_DIR/secrets.json (0600) and kept.
// See examples/oidc/README.md for every variable.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
const PORT = env.PORT || "3100";
const HOST = env.HOST || "127.0.0.1";
const APP_URL = (env.APP_URL || `http://127.0.0.1:${PORT}`).replace(/\/$/, "");
const DEV_PORT = env.OIDC_DEV_PORT || "3200";
const API_PORT = env.API_PORT || "8100";
const DATA_DIR = resolve(root, env.DATA_DIR || ".data/oidc");
const AUDIENCE = env.API_AUDIENCE || "taskflow-api";

/** The newest modification time under `paths` (folders walked, build output skipped). */
function newest(paths) {
  let latest = 0;
  const visit = (path) => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path)) {
        if (!["node_modules", "dist", ".next", ".data"].includes(entry)) visit(join(path, entry));
      }
    } else latest = Math.max(latest, stat.mtimeMs);
  };
  for (const path of paths) visit(join(root, path));
  return latest;
}

/** Builds `workspace` unless `output` is newer than every file of `inputs`. */
function build(workspace, output, inputs) {
  const target = join(root, output);
  if (existsSync(target) && statSync(target).mtimeMs >= newest(inputs)) return;
  console.log(`▶ build ${workspace}`);
  const run = spawnSync("npm", ["run", "build", "-w", workspace], {
    cwd: root,
    stdio: "inherit",
    env,
  });
  if (run.status !== 0) {
    console.error(`✖ build ${workspace} failed`);
    process.exit(run.status ?? 1);
  }
}

/** SESSION_SECRET, or the development one kept in $DATA_DIR/secrets.json. */
function sessionSecret() {
  if (env.SESSION_SECRET) return env.SESSION_SECRET;
  const file = join(DATA_DIR, "secrets.json");
  const kept = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
  if (typeof kept.sessionSecret === "string") return kept.sessionSecret;
  const made = { ...kept, sessionSecret: randomBytes(32).toString("base64url") };
  writeFileSync(file, `${JSON.stringify(made, null, 2)}\n`, { mode: 0o600 });
  console.log(`▶ generated a development SESSION_SECRET in ${file}`);
  return made.sessionSecret;
}

/** Resolves once `url` answers (any status), or exits when `child` does first. */
async function ready(name, url, child) {
  const deadline = Date.now() + 60_000;
  while (child.exitCode === null && Date.now() < deadline) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(2000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  console.error(`✖ ${name} did not start (${url})`);
  stop(1);
}

const children = [];
let stopping = false;
function stop(code) {
  if (!stopping) {
    stopping = true;
    process.exitCode = code;
    for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  }
  if (children.every((child) => child.exitCode !== null)) process.exit(code);
}
/** Spawned directly (not through npm), so that SIGTERM reaches the server itself. */
function start(command, args, cwd, childEnv) {
  const child = spawn(command, args, { cwd: join(root, cwd), stdio: "inherit", env: childEnv });
  children.push(child);
  child.on("exit", (code) => stop(stopping ? process.exitCode : (code ?? 1)));
  return child;
}
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => stop(0));

const devProvider = !env.OIDC_ISSUER;
const startApi = !env.API_URL;
const packages = ["packages/handoff-bff/src", "packages/handoff-bff/package.json"];
build("handoff-bff", "packages/handoff-bff/dist/oidc/index.js", [
  ...packages,
  "packages/handoff-bff/tsconfig.build.json",
]);
if (startApi) {
  build("@handoff/db-kit", "packages/db-kit/dist/index.js", ["packages/db-kit/src"]);
  build("handoff-chatkit", "packages/chatkit-server/dist/index.js", [
    "packages/chatkit-server/src",
  ]);
  build("api", "apps/api/dist/main.js", ["apps/api/src", "apps/api/package.json"]);
}
build("example-oidc", "examples/oidc/.next/BUILD_ID", [
  "examples/oidc/app",
  "examples/oidc/lib",
  "examples/oidc/next.config.ts",
  "examples/oidc/tsconfig.json",
  "examples/oidc/package.json",
  "packages/handoff-bff/dist",
]);

// Whatever this script and its servers create under .data is the user's alone.
process.umask(0o077);
mkdirSync(join(DATA_DIR, "api"), { recursive: true, mode: 0o700 });

const issuer = (env.OIDC_ISSUER || `http://127.0.0.1:${DEV_PORT}`).replace(/\/$/, "");
const clientId = env.OIDC_CLIENT_ID || (devProvider ? "handoff-example" : "");
// The development client's secret lives as long as the provider: both are started here.
const clientSecret =
  env.OIDC_CLIENT_SECRET || (devProvider ? randomBytes(24).toString("base64url") : "");
if (!clientId) {
  console.error("✖ OIDC_CLIENT_ID is required with OIDC_ISSUER (see examples/oidc/README.md)");
  process.exit(1);
}

if (devProvider) {
  const provider = start(process.execPath, ["dev-provider.mjs"], "examples/oidc", {
    ...env,
    OIDC_DEV_PORT: DEV_PORT,
    APP_URL,
    OIDC_CLIENT_ID: clientId,
    OIDC_CLIENT_SECRET: clientSecret,
  });
  await ready("the development provider", `${issuer}/.well-known/openid-configuration`, provider);
}
let apiUrl = env.API_URL;
if (startApi) {
  apiUrl = `http://127.0.0.1:${API_PORT}`;
  const discovery = await fetch(`${issuer}/.well-known/openid-configuration`).then((r) => r.json());
  const api = start(process.execPath, ["dist/main.js"], "apps/api", {
    ...env,
    PORT: API_PORT,
    DATA_DIR: join(DATA_DIR, "api"),
    AUTH_JWKS_URL: discovery.jwks_uri,
    AUTH_ISSUER: discovery.issuer,
    AUTH_AUDIENCE: AUDIENCE,
  });
  await ready("the TaskFlow API", `${apiUrl}/health`, api);
}
const app = start(
  `${root}node_modules/.bin/next`,
  ["start", "-H", HOST, "-p", PORT],
  "examples/oidc",
  {
    ...env,
    NODE_ENV: "production",
    APP_URL,
    SESSION_SECRET: sessionSecret(),
    OIDC_ISSUER: issuer,
    OIDC_CLIENT_ID: clientId,
    OIDC_CLIENT_SECRET: clientSecret,
    API_URL: apiUrl,
  },
);
await ready(
  "the example",
  `http://${HOST.includes(":") ? `[${HOST}]` : HOST}:${PORT}/auth/user`,
  app,
);
if (!stopping) {
  console.log(`\nHandoff OIDC example: ${APP_URL}  (issuer ${issuer}, API ${apiUrl})`);
  if (devProvider) {
    console.log(
      "Sign in as demo@example.test / handoff-demo (development provider). Ctrl-C stops all.\n",
    );
  }
}
