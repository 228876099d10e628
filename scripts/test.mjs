#!/usr/bin/env node
// The README's test command (`npm test`): every check the project has, in order, stopping at
// the first failure. Vitest suites write JSON results so the last line can total them as
// "N passed, N failed".
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { nodeBinaries } from "./node-versions.mjs";

const root = new URL("..", import.meta.url).pathname;
const results = mkdtempSync(join(tmpdir(), "handoff-test-"));
let passed = 0;
let failed = 0;

/** Each step: a name, a working directory, a command; `vitest` steps are counted. */
const steps = [
  ...(existsSync(join(root, "node_modules/.package-lock.json"))
    ? []
    : [{ name: "install dependencies", cwd: ".", cmd: "npm ci --no-audit --no-fund" }]),
  { name: "lint and format (Biome)", cwd: ".", cmd: "npx biome check ." },
  { name: "unused files, exports and dependencies (knip)", cwd: ".", cmd: "npx knip" },
  { name: "type-check", cwd: ".", cmd: "npm run typecheck --silent" },
  {
    name: "package (build, publint, attw)",
    cwd: "packages/handoff-bff",
    cmd: "npm run check:package --silent",
  },
  {
    name: "packed package works (npm pack, install, run)",
    cwd: ".",
    cmd: "node scripts/pack-smoke.mjs",
  },
  {
    name: "chatkit-server package (build, publint, attw)",
    cwd: "packages/chatkit-server",
    cmd: "npm run check:package --silent",
  },
  {
    name: "packed chatkit-server serves the protocol (npm pack, install, node:http)",
    cwd: ".",
    cmd: "node scripts/chatkit-pack-smoke.mjs",
  },
  { name: "handoff tests", cwd: "packages/handoff-bff", vitest: true },
  // The ChatKit protocol, memoryStore and drizzleStore (PGlite) against the store contract.
  { name: "chatkit-server tests", cwd: "packages/chatkit-server", vitest: true },
  // PGlite and PostgreSQL opening, the directory lock, owner-only modes, locked migrations.
  { name: "db-kit tests", cwd: "packages/db-kit", vitest: true },
  { name: "api tests", cwd: "apps/api", vitest: true },
  // The library and the API on the other supported majors (binaries from the npm registry,
  // installed once under .cache/node; see scripts/node-versions.mjs).
  ...otherNodes().flatMap(({ major, bin }) => [
    {
      name: `handoff tests on Node ${major}`,
      cwd: "packages/handoff-bff",
      vitest: true,
      node: bin,
    },
    { name: `api tests on Node ${major}`, cwd: "apps/api", vitest: true, node: bin },
  ]),
  { name: "web tests", cwd: "apps/web", vitest: true },
  {
    name: "build the system (api, web) and the OIDC example for the e2e tests",
    cwd: ".",
    cmd: "npm run build --silent -w @handoff/db-kit && npm run build --silent -w handoff-chatkit && npm run build --silent -w api && npm run build --silent -w web && npm run build --silent -w example-oidc",
  },
  { name: "e2e tests (Chromium)", cwd: "e2e", vitest: true },
];

/** The other Node.js binaries to test on; `HANDOFF_TEST_OTHER_NODES=0` skips them. */
function otherNodes() {
  if (process.env.HANDOFF_TEST_OTHER_NODES === "0") return [];
  return nodeBinaries();
}

for (const step of steps) {
  const started = Date.now();
  console.log(`\n▶ ${step.name}`);
  let cmd = step.cmd;
  let out;
  if (step.vitest) {
    out = join(results, `${step.name.replace(/\W+/g, "-")}.json`);
    cmd = `npx vitest run --reporter=default --reporter=json --outputFile.json=${out}`;
    if (step.node) cmd = `node --version && ${cmd}`;
  }
  // Another Node.js goes first on PATH: npx, vitest and its workers all run on it.
  const env = step.node
    ? { ...process.env, PATH: `${dirname(step.node)}${delimiter}${process.env.PATH}` }
    : process.env;
  const run = spawnSync(cmd, { cwd: join(root, step.cwd), shell: true, stdio: "inherit", env });
  if (out) {
    try {
      const report = JSON.parse(readFileSync(out, "utf8"));
      passed += report.numPassedTests;
      failed += report.numFailedTests;
    } catch {
      failed += 1;
    }
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (run.status !== 0) {
    console.error(`✖ ${step.name} failed (${seconds} s)`);
    if (!out) failed += 1;
    console.log(`${passed} passed, ${failed} failed`);
    process.exit(1);
  }
  console.log(`✔ ${step.name} (${seconds} s)`);
}
console.log(`${passed} passed, ${failed} failed`);
