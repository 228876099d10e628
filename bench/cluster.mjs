// Cluster benchmark (not a test): requests per second through HAProxy with one and with two
// instances of each app, as `npm run start:cluster` runs them (same script, loopback only).
//
//   npm run bench:cluster -w bench        (~1.5 min; build first: npm run start:cluster does)
//
// Two targets, each for BENCH_DURATION seconds (default 8) at BENCH_CONNECTIONS (default 10)
// after a BENCH_WARMUP (default 2 s) round: a signed-in GET through the web tier's Handoff route
// (`/api/proxy/api/tasks`: web balancer → Next → Better Auth JWT → API balancer → API →
// PostgreSQL) and an unauthenticated GET of the API's `/health` through the API balancer (the
// tests cannot mint a JWT for the API: Better Auth's /token is disabled). Report on stdout and in
// bench/results/cluster-<time>.json.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { load } from "./lib/measure.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = join(here, "..");
const log = (...args) => console.error("[bench:cluster]", ...args);
const knob = (name, fallback) => Number(process.env[`BENCH_${name}`] ?? fallback);
const config = {
  durationS: knob("DURATION", 8),
  warmupS: knob("WARMUP", 2),
  connections: knob("CONNECTIONS", 10),
  basePort: knob("CLUSTER_BASE_PORT", 24_100),
};
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function startCluster(instances) {
  const data = mkdtempSync(join(tmpdir(), "taskflow-bench-cluster-"));
  const child = spawn(process.execPath, [join(root, "scripts/start-cluster.mjs")], {
    cwd: root,
    env: {
      ...process.env,
      CLUSTER_SKIP_BUILD: "1",
      CLUSTER_INSTANCES: String(instances),
      CLUSTER_BASE_PORT: String(config.basePort),
      CLUSTER_DATA_DIR: data,
      // Limits are not what is measured.
      RATE_LIMIT_PER_SESSION: "100000000",
      RATE_LIMIT_PER_IP: "100000000",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const stop = async () => {
    child.kill("SIGTERM");
    await exited;
    rmSync(data, { recursive: true, force: true });
  };
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      const state = JSON.parse(readFileSync(join(data, "cluster.json"), "utf8"));
      if (state.ready) return { state, stop };
    } catch {}
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error("the cluster did not start");
    }
    await pause(500);
  }
}

/** Signs a new user up through the web balancer; answers the session cookie. */
function signUp(web) {
  const id = Math.random().toString(36).slice(2, 10);
  const body = JSON.stringify({
    name: "Bench",
    email: `bench-${id}@example.test`,
    password: `pw-${id}-Secret!`,
  });
  return new Promise((resolve, reject) => {
    const req = request(
      `${web}/api/auth/sign-up/email`,
      { method: "POST", headers: { "content-type": "application/json", origin: web } },
      (res) => {
        res.resume();
        const cookies = (res.headers["set-cookie"] ?? []).map((line) => line.split(";")[0]);
        if (res.statusCode === 200) resolve(cookies.join("; "));
        else reject(new Error(`sign-up answered ${res.statusCode}`));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function measure(instances) {
  log(`starting a cluster with ${instances} instance(s) per tier`);
  const { state, stop } = await startCluster(instances);
  try {
    const cookie = await signUp(state.web);
    const targets = {
      "web tier: GET /api/proxy/api/tasks (signed in)": {
        url: `${state.web}/api/proxy/api/tasks`,
        headers: { cookie },
      },
      "API tier: GET /health": { url: `${state.api}/health`, headers: {} },
    };
    const results = {};
    for (const [name, { url, headers }] of Object.entries(targets)) {
      const options = { connections: config.connections, headers };
      await load(url, { ...options, duration: config.warmupS });
      results[name] = await load(url, { ...options, duration: config.durationS });
      log(`${instances}× ${name}: ${results[name].rps.toFixed(0)} req/s`);
    }
    return results;
  } finally {
    await stop();
  }
}

const report = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  config,
  runs: { one: await measure(1), two: await measure(2) },
};
const rows = Object.keys(report.runs.one).map((name) => {
  const [one, two] = [report.runs.one[name], report.runs.two[name]];
  const cell = (r) =>
    `${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  failures ${r.failures}`;
  return `${name}\n  1 instance : ${cell(one)}\n  2 instances: ${cell(two)}  (×${(two.rps / one.rps).toFixed(2)})`;
});
console.log(
  `Cluster benchmark, ${report.cpus} CPUs, ${config.connections} connections, ${config.durationS} s\n${rows.join("\n")}`,
);
mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(
  join(here, "results", `cluster-${report.date.replaceAll(":", "-")}.json`),
  `${JSON.stringify(report, null, 2)}\n`,
);
