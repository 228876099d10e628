// Handoff benchmark (not a test): the Handoff proxy route vs Next rewrites vs the upstream
// directly vs a constant-JSON route (the floor), on a real `next build` + `next start`.
//
//   npm run bench -w bench                  full run (~3 min)
//   BENCH_QUICK=1 npm run bench -w bench    smoke run (~30 s)
//
// Knobs: BENCH_ROUNDS, BENCH_DURATION (s per round), BENCH_WARMUP (s), BENCH_CONNECTIONS,
// BENCH_DOWNLOAD_MB, BENCH_DOWNLOAD_TRIES, BENCH_SSE_TRIES, BENCH_UPSTREAM_PORT (default 8100),
// BENCH_REBUILD=1 (force `next build`), BENCH_PHASES=small,download,sse (which to run),
// BENCH_TARGETS=floor,proxy,front-door,… (which targets; the floor and proxy are needed for the ratio). Progress goes to stderr, the report to stdout and to
// bench/results/<time>.json. Any build or target that fails stops the run.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "./lib/build.mjs";
import { downloads, preflight, smallGets, sse } from "./lib/phases.mjs";
import { freePort, server, stopAll } from "./lib/processes.mjs";
import { formatReport } from "./lib/report.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = join(here, "..");
const appDir = join(here, "next-app");
const require = createRequire(import.meta.url);
const nextBin = require.resolve("next/dist/bin/next");
const log = (...args) => console.error("[bench]", ...args);

const quick = process.env.BENCH_QUICK === "1";
const knob = (name, full, short) => Number(process.env[`BENCH_${name}`] ?? (quick ? short : full));
const config = {
  quick,
  rounds: knob("ROUNDS", 7, 1),
  durationS: knob("DURATION", 5, 1),
  warmupS: knob("WARMUP", 3, 1),
  connections: knob("CONNECTIONS", 10, 10),
  downloadMiB: knob("DOWNLOAD_MB", 256, 16),
  downloadTries: knob("DOWNLOAD_TRIES", 3, 1),
  sseTries: knob("SSE_TRIES", 7, 3),
};

const versionOf = (name) =>
  JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8")).version;

/** The command as typed, BENCH_* variables included, for the report. */
function commandLine() {
  const vars = Object.entries(process.env)
    .filter(([name]) => name.startsWith("BENCH_"))
    .map(([name, value]) => `${name}=${value} `)
    .join("");
  const npm = process.env.npm_lifecycle_event === "bench";
  return vars + (npm ? "npm run bench -w bench" : process.argv.slice(1).join(" "));
}

async function main() {
  const meta = {
    command: commandLine(),
    date: new Date().toISOString(),
    node: process.version,
    next: versionOf("next"),
    autocannon: versionOf("autocannon"),
    handoff: versionOf("handoff-bff"),
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? "?"}`,
    config,
  };
  console.error(`$ ${meta.command}`);

  const upstreamPort = await freePort(Number(process.env.BENCH_UPSTREAM_PORT ?? 8100));
  const upstreamUrl = `http://127.0.0.1:${upstreamPort}`;
  // rewrites() is compiled into the build, so the upstream URL is one of the build's inputs.
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", BENCH_UPSTREAM: upstreamUrl };
  const force = process.env.BENCH_REBUILD === "1";
  await build({ root, appDir, nextBin, env, force, extra: { next: meta.next, upstreamUrl } });

  const upstreamPid = await server([join(here, "upstream.mjs"), String(upstreamPort)], {
    cwd: here,
    env,
    readyUrl: `${upstreamUrl}/small`,
  });
  const nextPort = await freePort();
  const nextUrl = `http://127.0.0.1:${nextPort}`;
  const nextPid = await server([nextBin, "start", "-H", "127.0.0.1", "-p", String(nextPort)], {
    cwd: appDir,
    env: { ...env, NODE_ENV: "production" },
    readyUrl: `${nextUrl}/api/floor`,
  });
  // The front door: the same build in a custom server, createFrontDoor before Next.js.
  const doorPort = await freePort();
  const doorUrl = `http://127.0.0.1:${doorPort}`;
  const doorPid = await server([join(here, "front-door.mjs"), String(doorPort)], {
    cwd: here,
    env: { ...env, NODE_ENV: "production" },
    readyUrl: `${doorUrl}/api/floor`,
  });
  log(
    `upstream ${upstreamUrl} (pid ${upstreamPid}), next ${nextUrl} (pid ${nextPid}), front door ${doorUrl} (pid ${doorPid})`,
  );

  // pid: the server whose CPU time and RSS are charged to the target.
  const targets = [
    { name: "floor", smallUrl: `${nextUrl}/api/floor`, pid: nextPid },
    { name: "floor-catchall", smallUrl: `${nextUrl}/api/floor-catchall/small`, pid: nextPid },
    { name: "proxy", base: `${nextUrl}/api/proxy`, pid: nextPid },
    { name: "rewrites", base: `${nextUrl}/rw`, pid: nextPid },
    { name: "front-door", base: `${doorUrl}/api/proxy`, pid: doorPid },
    { name: "direct", base: upstreamUrl, pid: upstreamPid },
    { name: "handwritten", base: `${nextUrl}/api/handwritten`, pid: nextPid },
  ];
  const only = (process.env.BENCH_TARGETS ?? "").split(",").filter(Boolean);
  const chosen = targets.filter((t) => only.length === 0 || only.includes(t.name));
  for (const t of chosen) t.smallUrl ??= `${t.base}/small`;
  const streaming = chosen.filter((t) => t.base); // the floor has no upstream behind it
  await preflight(chosen, await (await fetch(`${upstreamUrl}/small`)).text());

  const phases = (process.env.BENCH_PHASES ?? "small,download,sse").split(",");
  const results = { meta };
  if (phases.includes("small")) results.small = await smallGets(chosen, config);
  if (phases.includes("download")) results.download = await downloads(streaming, config);
  if (phases.includes("sse")) results.sse = await sse(streaming, config);

  console.log(formatReport(results));
  const dir = join(here, "results");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${meta.date.replace(/[:.]/g, "-")}${quick ? "-quick" : ""}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nJSON: ${file}`);
}

try {
  await main();
} catch (error) {
  console.error(`[bench] FAILED: ${error.stack ?? error}`);
  process.exitCode = 1;
} finally {
  await stopAll();
}
