#!/usr/bin/env node
// The README's start command (`npm start`): builds and starts the system on embedded defaults,
// with no accounts and no keys to provide:
// - the TaskFlow API (apps/api) on 127.0.0.1:8000: PGlite under .data/api, the built-in agent;
// - the example Next.js app (examples/next) on 127.0.0.1:3000, whose /api/proxy forwards to it.
// The example's demo sign-in signs short-lived EdDSA JWTs with a key generated into
// .data/dev-secrets.json on first run; the API verifies them against the example's JWKS.
import { spawn, spawnSync } from "node:child_process";
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";

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

/** The local secrets, made once and kept (mode 0600) so sessions survive a restart. */
function secrets() {
  const file = `${data}/dev-secrets.json`;
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8"));
  mkdirSync(data, { recursive: true });
  const { privateKey } = generateKeyPairSync("ed25519");
  const made = { signingKey: { ...privateKey.export({ format: "jwk" }), kid: randomUUID() } };
  writeFileSync(file, `${JSON.stringify(made, null, 2)}\n`, { mode: 0o600 });
  console.log(`▶ generated local secrets in ${file}`);
  return made;
}

if (!existsSync(`${root}node_modules/.package-lock.json`))
  step("install dependencies", ["install", "--no-audit", "--no-fund"]);
step("build the handoff library", ["run", "build", "-w", "handoff"]);
step("build the TaskFlow API", ["run", "build", "-w", "api"]);
step("build the example Next.js app", ["run", "build", "-w", "example-next"]);

const { signingKey } = secrets();
const children = [
  // The servers are spawned directly, not through `npm run`, so SIGTERM reaches them.
  spawn(process.execPath, ["dist/main.js"], {
    cwd: `${root}apps/api`,
    stdio: "inherit",
    env: {
      ...env,
      PORT: "8000",
      DATA_DIR: `${data}/api`,
      AUTH_JWKS_URL: `${web}/api/demo/jwks`,
      AUTH_ISSUER: web,
      AUTH_AUDIENCE: "taskflow-api",
    },
  }),
  spawn(`${root}node_modules/.bin/next`, ["start", "-H", "127.0.0.1", "-p", "3000"], {
    cwd: `${root}examples/next`,
    stdio: "inherit",
    env: {
      ...env,
      UPSTREAM_URL: api,
      DEMO_SIGNING_KEY: JSON.stringify(signingKey),
      DEMO_ISSUER: web,
      DEMO_AUDIENCE: "taskflow-api",
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
  console.log(`\nHandoff example: ${web}  (TaskFlow API: ${api}, OpenAPI at ${api}/openapi.json)`);
  console.log(
    "Sign in (demo), then add tasks and ask the agent through /api/proxy. Ctrl-C stops both.\n",
  );
}, 2000);
