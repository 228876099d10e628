#!/usr/bin/env node
// `npm run start:cluster`: the system as it runs on several machines, on this one (docs/architecture.md,
// "Running as a cluster"). Builds like `npm start`, then starts
// - PostgreSQL (Debian's `postgresql`): a cluster kept under .data/cluster/postgres, 127.0.0.1:5440,
//   or `DATABASE_URL`; as root, run as the `postgres` user (PostgreSQL refuses root);
// - Redis (Debian's `redis-server`): .data/cluster/redis, 127.0.0.1:6390, no snapshots, or `REDIS_URL`;
// - two TaskFlow APIs (127.0.0.1:8001, :8002) and two dashboards (127.0.0.1:3001, :3002);
// - HAProxy in front of each tier: the dashboard on 127.0.0.1:3000, the API on 127.0.0.1:8000.
// The Better Auth secret is generated into .data/cluster/secrets.json (0600) on the first run.
//
// Knobs: CLUSTER_BASE_PORT (web balancer at base, web instances base+1…, API balancer base+10,
// instances base+11…, PostgreSQL base+20, Redis base+21), CLUSTER_DATA_DIR, CLUSTER_INSTANCES
// (instances per tier, default 2), CLUSTER_SKIP_BUILD=1, CLUSTER_API_CHECK / CLUSTER_WEB_CHECK
// (health-check paths; by default /ready and /api/ready when the apps answer them, else /health
// and /api/auth/jwks). Everything else in the environment (RATE_LIMIT_*, OPENAI_*, CHATKIT_*,
// AGENT_*, AUTH_RATE_LIMIT_*, …) passes through to the instances.
//
// Ctrl-C or SIGTERM stops the instances (they drain), then HAProxy, Redis and PostgreSQL.
// A process that dies is reported and the rest keep running; SIGHUP restarts what died.
// .data/cluster/cluster.json holds the ports and pids (the e2e tests and the benchmark read it).
import { execFile, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createConnection, createServer } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { haproxyConfig } from "./cluster/haproxy-config.mjs";

const root = new URL("..", import.meta.url).pathname;
const dataDir = process.env.CLUSTER_DATA_DIR || `${root}.data/cluster`;
const instances = Number(process.env.CLUSTER_INSTANCES ?? 2);
const base = process.env.CLUSTER_BASE_PORT ? Number(process.env.CLUSTER_BASE_PORT) : undefined;
const range = (first) => Array.from({ length: instances }, (_, i) => first + i + 1);
const ports =
  base === undefined
    ? { web: 3000, webs: range(3000), api: 8000, apis: range(8000), pg: 5440, redis: 6390 }
    : {
        ...{ web: base, webs: range(base), api: base + 10, apis: range(base + 10) },
        ...{ pg: base + 20, redis: base + 21 },
      };
const webOrigin = `http://127.0.0.1:${ports.web}`;
const apiOrigin = `http://127.0.0.1:${ports.api}`;
const exec = promisify(execFile);
const log = (line) => console.log(`▶ ${line}`);

if (!Number.isInteger(instances) || instances < 1 || instances > 8) {
  console.error("✖ CLUSTER_INSTANCES must be a whole number from 1 to 8");
  process.exit(1);
}

function build() {
  const step = (name, args) => {
    log(name);
    const run = spawnSync("npm", args, { cwd: root, stdio: "inherit" });
    if (run.status !== 0) {
      console.error(`✖ ${name} failed`);
      process.exit(run.status ?? 1);
    }
  };
  if (!existsSync(`${root}node_modules/.package-lock.json`))
    step("install dependencies", ["ci", "--no-audit", "--no-fund"]);
  for (const [name, workspace] of [
    ["the handoff library", "handoff-bff"],
    ["the database kit", "@handoff/db-kit"],
    ["the ChatKit server", "handoff-chatkit"],
    ["the TaskFlow API", "api"],
    ["the dashboard", "web"],
  ])
    step(`build ${name}`, ["run", "build", "-w", workspace]);
}

/** Every process this script started, by name; `spec` is how to start it again. */
const processes = new Map();
let stopping = false;

/** Starts a process whose output is prefixed with its name; its death is reported. */
function launch(name, spec) {
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd ?? "/",
    env: spec.env ?? { PATH: process.env.PATH, LANG: "C.UTF-8" },
    uid: spec.uid,
    gid: spec.gid,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const record = { name, spec, child, exited: false };
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on("line", (line) => console.log(`[${name}] ${line}`));
  }
  record.done = new Promise((resolve) => {
    child.on("error", (error) => console.error(`✖ ${name}: ${error.message}`));
    child.on("exit", (code, signal) => {
      record.exited = true;
      resolve();
      if (!stopping) {
        const others = [...processes.values()].filter(
          (other) => other.spec.tier === spec.tier && spec.tier && !other.exited,
        );
        console.error(
          `✖ ${name} (pid ${child.pid}) exited unexpectedly (${signal ?? `status ${code}`}); ` +
            (others.length > 0 ? "the others in its tier keep serving. " : "") +
            `kill -HUP ${process.pid} restarts it.`,
        );
        saveState();
      }
    });
  });
  processes.set(name, record);
  saveState();
  return record;
}

async function stop(record, timeoutMs = 15_000) {
  if (record === undefined || record.exited) return;
  record.child.kill(record.spec.stopSignal ?? "SIGTERM");
  const timer = setTimeout(() => record.child.kill("SIGKILL"), timeoutMs);
  await record.done;
  clearTimeout(timer);
}

async function waitFor(name, probe, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const record = processes.get(name);
    if (record?.exited) throw new Error(`${name} exited before it was ready`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(`${name} was not ready within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const answers = async (url) =>
  (await fetch(url, { signal: AbortSignal.timeout(5_000) }).catch(() => null))?.status === 200;

function portFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

function redisPing(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port }, () => socket.write("PING\r\n"));
    socket.setTimeout(2_000, () => socket.destroy());
    socket.once("data", (data) => {
      resolve(data.toString().startsWith("+PONG"));
      socket.end();
    });
    socket.once("error", () => resolve(false));
    socket.once("close", () => resolve(false));
  });
}

function state() {
  const file = join(dataDir, "cluster.json");
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : undefined;
}
let ready = false;
let checks = {};
function saveState() {
  const pids = Object.fromEntries(
    [...processes].filter(([, r]) => !r.exited).map(([name, r]) => [name, r.child.pid]),
  );
  const markers = Object.fromEntries([...processes].map(([name, r]) => [name, r.spec.marker]));
  const content = { pid: process.pid, ready, web: webOrigin, api: apiOrigin, ports, checks };
  // Written aside, then renamed: a reader (the tests, the benchmark) never sees half a file.
  const file = join(dataDir, "cluster.json");
  writeFileSync(`${file}.tmp`, `${JSON.stringify({ ...content, pids, markers }, null, 2)}\n`, {
    mode: 0o600,
  });
  renameSync(`${file}.tmp`, file);
}

/** A live process's command line, or "" (a pid may have been reused: callers check it). */
function commandLine(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

/** The processes of an earlier run that was killed before it could stop them. */
function removeOrphans() {
  const previous = state();
  if (previous === undefined) return;
  if (previous.pid !== process.pid && commandLine(previous.pid).includes("start-cluster")) {
    throw new Error(`a cluster is already running from ${dataDir} (pid ${previous.pid})`);
  }
  for (const [name, pid] of Object.entries(previous.pids ?? {})) {
    const marker = previous.markers?.[name];
    if (marker && commandLine(pid).includes(marker)) {
      console.error(`▶ stopping ${name} (pid ${pid}), left behind by an earlier run`);
      process.kill(pid, name === "postgres" ? "SIGQUIT" : "SIGKILL");
    }
  }
}

/** Directories only the owner may enter, and one group (`gid`) may pass through to reach its own. */
function privateDir(path, gid) {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  if (gid === undefined) chmodSync(path, 0o700);
  else {
    chownSync(path, process.getuid(), gid);
    chmodSync(path, 0o710);
  }
}

function secrets() {
  const file = join(dataDir, "secrets.json");
  const kept = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
  if (typeof kept.betterAuthSecret === "string") return kept;
  const made = { ...kept, betterAuthSecret: randomBytes(32).toString("base64url") };
  writeFileSync(file, `${JSON.stringify(made, null, 2)}\n`, { mode: 0o600 });
  log(`generated the cluster's secrets in ${file}`);
  return made;
}

async function startPostgres() {
  // The database kit's throwaway-cluster helper finds the binaries and the user to run them as.
  const { findServerBinaries, userIds } = await import("@handoff/db-kit/testing");
  const bin = await findServerBinaries();
  const owner = process.getuid() === 0 ? await userIds("postgres") : undefined;
  const dir = join(dataDir, "postgres");
  if (owner !== undefined) {
    // PostgreSQL runs as `postgres`: it may pass through the private folders above its own.
    privateDir(dataDir, owner.gid);
    if (dataDir === `${root}.data/cluster`) privateDir(`${root}.data`, owner.gid);
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  if (owner !== undefined) chownSync(dir, owner.uid, owner.gid);
  const as = { uid: owner?.uid, gid: owner?.gid, cwd: "/" };
  const fresh = !existsSync(join(dir, "PG_VERSION"));
  if (fresh) {
    log(`initdb ${dir}`);
    await exec(
      join(bin, "initdb"),
      ["-D", dir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"],
      as,
    );
  }
  launch("postgres", {
    ...as,
    command: join(bin, "postgres"),
    // Throwaway data, so durability is traded for speed, as in the test clusters.
    args: [
      ...["-D", dir, "-k", dir, "-p", String(ports.pg), "-c", "listen_addresses=127.0.0.1"],
      ...["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
      ...["-c", "max_connections=200"],
    ],
    stopSignal: "SIGINT", // fast shutdown: the instances are gone by then
    marker: dir,
  });
  const pgArgs = ["-h", "127.0.0.1", "-p", String(ports.pg), "-U", "postgres"];
  await waitFor("postgres", async () => {
    await exec(join(bin, "pg_isready"), [...pgArgs, "-q"], as);
    return true;
  });
  if (fresh) await exec(join(bin, "createdb"), [...pgArgs, "taskflow"], as);
  return `postgres://postgres@127.0.0.1:${ports.pg}/taskflow`;
}

async function startRedis() {
  const dir = join(dataDir, "redis");
  privateDir(dir);
  launch("redis", {
    command: "redis-server",
    // Limits, revocations and bindings live minutes: no snapshots, no append-only file.
    args: [
      ...["--bind", "127.0.0.1", "--port", String(ports.redis), "--dir", dir],
      ...["--save", "", "--appendonly", "no", "--loglevel", "warning", "--daemonize", "no"],
    ],
    marker: `:${ports.redis}`,
  });
  await waitFor("redis", () => redisPing(ports.redis));
  return `redis://127.0.0.1:${ports.redis}`;
}

function instanceEnv(extra) {
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...extra };
  for (const name of ["PORT", "HOST", "DATA_DIR", "npm_lifecycle_event", "npm_lifecycle_script"])
    if (!(name in extra)) delete env[name];
  return env;
}

function startInstances(databaseUrl, redisUrl, secret) {
  const shared = { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl };
  ports.apis.forEach((port, i) => {
    launch(`api-${i + 1}`, {
      tier: "api",
      command: process.execPath,
      args: ["dist/main.js"],
      cwd: join(root, "apps/api"),
      env: instanceEnv({
        ...shared,
        PORT: String(port),
        HOST: "127.0.0.1",
        // The JWKS through the web tier's balancer: any dashboard serves the same keys.
        AUTH_JWKS_URL: `${webOrigin}/api/auth/jwks`,
        AUTH_ISSUER: webOrigin,
        AUTH_AUDIENCE: "taskflow-api",
        AGENT_WORD_DELAY_MS: process.env.AGENT_WORD_DELAY_MS ?? "40",
        // The balancer checks each instance every second: request lines only when asked for.
        LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
        // On SIGTERM /ready answers 503 at once; serving goes on for three health checks (1 s
        // apart, two failures take an instance out) so the balancer stops sending first.
        SHUTDOWN_DELAY_MS: process.env.SHUTDOWN_DELAY_MS ?? "3000",
      }),
      marker: "dist/main.js",
      port,
    });
  });
  ports.webs.forEach((port, i) => {
    launch(`web-${i + 1}`, {
      tier: "web",
      // The front door (apps/web/server.mjs): Handoff before Next, on the same port.
      command: process.execPath,
      args: ["server.mjs"],
      cwd: join(root, "apps/web"),
      env: instanceEnv({
        ...shared,
        HOST: "127.0.0.1",
        PORT: String(port),
        NODE_ENV: "production",
        BETTER_AUTH_SECRET: secret,
        // The public origin is the balancer's: cookies, redirects and the JWT's `iss`.
        BETTER_AUTH_URL: webOrigin,
        API_URL: apiOrigin,
        API_AUDIENCE: "taskflow-api",
        // HAProxy appends the client's address to X-Forwarded-For (option forwardfor).
        TRUSTED_PROXY_COUNT: "1",
      }),
      marker: "server.mjs",
      port,
    });
  });
}

/** The readiness paths once the apps have them, the liveness ones until then. */
async function healthChecks() {
  const api = `http://127.0.0.1:${ports.apis[0]}`;
  const web = `http://127.0.0.1:${ports.webs[0]}`;
  return {
    api: process.env.CLUSTER_API_CHECK || ((await answers(`${api}/ready`)) ? "/ready" : "/health"),
    web:
      process.env.CLUSTER_WEB_CHECK ||
      ((await answers(`${web}/api/ready`)) ? "/api/ready" : "/api/auth/jwks"),
  };
}

async function shutdown() {
  if (stopping) return;
  stopping = true;
  log("stopping: instances (draining), then HAProxy, Redis, PostgreSQL");
  const named = (prefix) => [...processes.values()].filter((r) => r.name.startsWith(prefix));
  await Promise.all([...named("api-"), ...named("web-")].map((r) => stop(r, 20_000)));
  await stop(processes.get("haproxy"), 5_000);
  await stop(processes.get("redis"), 10_000);
  await stop(processes.get("postgres"), 30_000);
  rmSync(join(dataDir, "cluster.json"), { force: true });
  log("stopped");
}

/** SIGHUP: starts again whatever died (PostgreSQL and Redis on the same data). */
function restartDead() {
  for (const record of processes.values()) {
    if (!record.exited) continue;
    log(`restarting ${record.name}`);
    launch(record.name, record.spec);
  }
}

async function main() {
  if (process.env.CLUSTER_SKIP_BUILD !== "1") build();
  // Everything created from here on is the user's alone (docs/security.md, "Data at rest").
  process.umask(0o077);
  privateDir(dataDir);
  removeOrphans();
  const wanted = [ports.web, ports.api, ...ports.webs, ...ports.apis];
  if (!process.env.DATABASE_URL) wanted.push(ports.pg);
  if (!process.env.REDIS_URL) wanted.push(ports.redis);
  const taken = [];
  for (const port of wanted) if (!(await portFree(port))) taken.push(port);
  if (taken.length > 0) {
    throw new Error(`ports in use: ${taken.join(", ")} (another cluster? set CLUSTER_BASE_PORT)`);
  }
  const { betterAuthSecret } = secrets();
  saveState();

  const databaseUrl = process.env.DATABASE_URL || (await startPostgres());
  const redisUrl = process.env.REDIS_URL || (await startRedis());
  log(`${instances} API and ${instances} web instance(s)`);
  startInstances(databaseUrl, redisUrl, betterAuthSecret);
  await Promise.all(
    ports.apis.map((port, i) =>
      waitFor(`api-${i + 1}`, () => answers(`http://127.0.0.1:${port}/health`)),
    ),
  );
  // One dashboard at a time: the first request creates the JWT signing key, once.
  for (const [i, port] of ports.webs.entries()) {
    await waitFor(`web-${i + 1}`, () => answers(`http://127.0.0.1:${port}/api/auth/jwks`));
  }
  checks = await healthChecks();
  const config = join(dataDir, "haproxy.cfg");
  writeFileSync(
    config,
    haproxyConfig({
      web: { port: ports.web, servers: ports.webs, check: checks.web },
      api: { port: ports.api, servers: ports.apis, check: checks.api },
    }),
    { mode: 0o600 },
  );
  launch("haproxy", {
    command: process.env.HAPROXY_BIN || "/usr/sbin/haproxy",
    args: ["-f", config, "-db"],
    stopSignal: "SIGUSR1", // soft stop: lets the last responses finish
    marker: config,
  });
  await waitFor("haproxy", () => answers(`${webOrigin}/api/auth/jwks`));
  await waitFor("haproxy", () => answers(`${apiOrigin}/health`));
  ready = true;
  saveState();
  console.log(`\nTaskFlow cluster ready: ${webOrigin}  (API: ${apiOrigin})`);
  console.log(`  web instances ${ports.webs.join(", ")}; API instances ${ports.apis.join(", ")}`);
  console.log(`  health checks: API ${checks.api}, web ${checks.web}; config ${config}`);
  console.log(`  Ctrl-C stops everything; kill -HUP ${process.pid} restarts what died.\n`);
}

let signals = 0;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    if (++signals > 1) {
      for (const record of processes.values()) record.child.kill("SIGKILL");
      return;
    }
    shutdown().then(() => process.exit(0));
  });
}
process.on("SIGHUP", () => {
  if (!stopping) restartDead();
});

main().catch(async (error) => {
  console.error(`✖ ${error.message}`);
  await shutdown();
  process.exit(1);
});
