#!/usr/bin/env node
// The README's start command (`npm start`): builds and starts what the system has so far, on
// embedded defaults with no accounts and no keys: the Handoff library, the example Next.js app
// (production server on 127.0.0.1:3000) and its echo upstream (127.0.0.1:8000).
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const root = new URL("..", import.meta.url).pathname;
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };

function step(name, args) {
  console.log(`▶ ${name}`);
  const run = spawnSync("npm", args, { cwd: root, stdio: "inherit", env });
  if (run.status !== 0) {
    console.error(`✖ ${name} failed`);
    process.exit(run.status ?? 1);
  }
}

if (!existsSync(`${root}node_modules/.package-lock.json`))
  step("install dependencies", ["install", "--no-audit", "--no-fund"]);
step("build the handoff library", ["run", "build", "-w", "handoff"]);
step("build the example Next.js app", ["run", "build", "-w", "example-next"]);

const children = [
  spawn("npm", ["run", "upstream", "-w", "example-next"], { cwd: root, stdio: "inherit", env }),
  spawn("npm", ["run", "start", "-w", "example-next"], { cwd: root, stdio: "inherit", env }),
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
  console.log("\nHandoff example: http://127.0.0.1:3000  (echo upstream: http://127.0.0.1:8000)");
  console.log("Sign in (demo), then call the backend through /api/proxy. Ctrl-C stops both.\n");
}, 1500);
