#!/usr/bin/env node
// The README's start command (`npm start`): builds and starts the system on embedded defaults,
// with no accounts and no keys to provide:
// - the TaskFlow API (apps/api) on 127.0.0.1:8000: PGlite under .data/api, the built-in agent;
// - the dashboard (apps/web) on 127.0.0.1:3000: Better Auth with PGlite under .data/web, which
//   issues the JWTs the API verifies and reaches the API only through Handoff.
// Secrets are generated into .data/dev-secrets.json (mode 0600) on first run and kept, so
// sessions and the JWT signing keys survive a restart.
// Everything under .data/ is private to the user running this (docs/security.md, "Data at rest").
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";

const root = new URL("..", import.meta.url).pathname;
const data = `${root}.data`;
const web = "http://127.0.0.1:3000";
const api = "http://127.0.0.1:8000";
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };

function step(name, args) {
  console.log(`▶ ${name}`);
  const run = spawnSync("npm", args, { cwd: root, stdio: "inherit", env });
  if (run.status !== 0) {
    console.error(`✖ ${name} failed`);
    process.exit(run.status ?? 1);
  }
}

/**
 * Takes group and other permissions off `path` if it exists, keeping the owner's bits (never
 * loosens). The apps tighten their own PGlite directories and locks, recursively.
 */
function tighten(path) {
  if (!existsSync(path)) return;
  const { mode } = lstatSync(path);
  if ((mode & 0o077) !== 0) chmodSync(path, mode & 0o7700);
}

/** .data/ and the folders this script names in it: 0700, also when left looser by an older run. */
function privateData() {
  for (const dir of [data, `${data}/api`, `${data}/web`]) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    tighten(dir);
  }
  tighten(`${data}/dev-secrets.json`);
}

/** The local secrets, made once and kept. */
function secrets() {
  const file = `${data}/dev-secrets.json`;
  const kept = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
  if (typeof kept.betterAuthSecret === "string") return kept;
  const made = { ...kept, betterAuthSecret: randomBytes(32).toString("base64url") };
  writeFileSync(file, `${JSON.stringify(made, null, 2)}\n`, { mode: 0o600 });
  console.log(`▶ generated local secrets in ${file}`);
  return made;
}

if (!existsSync(`${root}node_modules/.package-lock.json`))
  step("install dependencies", ["ci", "--no-audit", "--no-fund"]);
step("build the handoff library", ["run", "build", "-w", "handoff-bff"]);
step("build the database kit", ["run", "build", "-w", "@handoff/db-kit"]);
step("build the ChatKit server", ["run", "build", "-w", "handoff-chatkit"]);
step("build the TaskFlow API", ["run", "build", "-w", "api"]);
step("build the dashboard", ["run", "build", "-w", "web"]);

// From here on, whatever this script and the servers it spawns create is the user's alone (the
// servers set it themselves too). Not before the builds: node_modules and build output are code,
// which may be shared, and keep the user's own umask.
process.umask(0o077);
privateData();
const { betterAuthSecret } = secrets();
// The servers are spawned directly, not through `npm run`, so SIGTERM reaches them.
const children = [
  spawn(process.execPath, ["dist/main.js"], {
    cwd: `${root}apps/api`,
    stdio: "inherit",
    env: {
      ...env,
      PORT: "8000",
      DATA_DIR: `${data}/api`,
      AUTH_JWKS_URL: `${web}/api/auth/jwks`,
      AUTH_ISSUER: web,
      AUTH_AUDIENCE: "taskflow-api",
      // The built-in agent types its answers out at a readable pace.
      AGENT_WORD_DELAY_MS: process.env.AGENT_WORD_DELAY_MS ?? "40",
    },
  }),
  // The front door (apps/web/server.mjs): Handoff before Next, on the same port.
  spawn(process.execPath, ["server.mjs"], {
    cwd: `${root}apps/web`,
    stdio: "inherit",
    env: {
      ...env,
      HOST: "127.0.0.1",
      PORT: "3000",
      BETTER_AUTH_SECRET: betterAuthSecret,
      BETTER_AUTH_URL: web,
      API_URL: api,
      API_AUDIENCE: "taskflow-api",
      DATA_DIR: `${data}/web`,
    },
  }),
];
for (const child of children) {
  child.on("exit", (code) => {
    for (const other of children) other.kill("SIGTERM");
    process.exitCode = code ?? 0;
  });
}
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    for (const child of children) child.kill("SIGTERM");
  });
}
setTimeout(() => {
  console.log(`\nTaskFlow: ${web}  (API: ${api}, OpenAPI at ${api}/openapi.json)`);
  console.log("Create an account, add tasks, ask the agent. Ctrl-C stops both.\n");
}, 2000);
