/**
 * The system as `npm run start:cluster` runs it (scripts/start-cluster.mjs, the same script):
 * PostgreSQL, Redis, two API and two web instances, HAProxy in front of each tier; on free high
 * ports with a fresh data folder. Build first (`npm test` does). Also a small HTTP client that
 * talks to one instance as the balancer would (the public `Host` and `Origin`), with a timeout
 * on every request.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;

interface State {
  pid: number;
  ready: boolean;
  web: string;
  api: string;
  ports: { web: number; webs: number[]; api: number; apis: number[]; pg: number; redis: number };
  checks: { api: string; web: string };
  pids: Record<string, number>;
}

export interface Cluster {
  /** The web balancer's origin (the public one) and the API balancer's. */
  readonly web: string;
  readonly api: string;
  /** Each web instance's and API instance's own origin. */
  readonly webs: string[];
  readonly apis: string[];
  /** The script's current view: pids of what runs, health-check paths. */
  state(): State;
  /** Sends `signal` to one of the cluster's processes (`api-1`, `web-2`, `redis`, …). */
  kill(name: string, signal: NodeJS.Signals): Promise<void>;
  /** SIGHUP to the script: it starts again whatever died; resolves once `name` runs. */
  restart(name: string): Promise<void>;
  /** Everything the script and its processes printed. */
  output(): string;
  close(): Promise<void>;
}

async function portsFree(first: number, count: number): Promise<boolean> {
  for (let port = first; port < first + count; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
    if (!free) return false;
  }
  return true;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts a cluster; `env` reaches every instance (the script passes its environment through).
 *
 * @example
 * ```ts
 * const cluster = await startCluster({ RATE_LIMIT_PER_SESSION: "40" });
 * afterAll(() => cluster.close());
 * ```
 */
export async function startCluster(env: Record<string, string> = {}): Promise<Cluster> {
  for (const built of ["apps/api/dist/main.js", "apps/web/.next/BUILD_ID"]) {
    if (!existsSync(join(root, built))) throw new Error(`${built} is missing: build first.`);
  }
  let base = 0;
  for (let attempt = 0; attempt < 20 && base === 0; attempt++) {
    const candidate = 20_000 + Math.floor(Math.random() * 1_500) * 25;
    if (await portsFree(candidate, 22)) base = candidate;
  }
  if (base === 0) throw new Error("no 22 free consecutive ports found");
  const data = mkdtempSync(join(tmpdir(), "taskflow-cluster-e2e-"));
  const child: ChildProcess = spawn(process.execPath, ["scripts/start-cluster.mjs"], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      CLUSTER_SKIP_BUILD: "1",
      CLUSTER_BASE_PORT: String(base),
      CLUSTER_DATA_DIR: data,
      // Every test signs in several times from 127.0.0.1 through the balancer.
      AUTH_RATE_LIMIT_PER_IP: "10000",
      AUTH_RATE_LIMIT_PER_ACCOUNT: "10000",
      AGENT_WORD_DELAY_MS: "0",
      LOG_LEVEL: "info",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let alive = true;
  void exited.then(() => (alive = false));
  const stateFile = join(data, "cluster.json");
  const read = (): State | undefined =>
    existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, "utf8")) as State) : undefined;
  const close = async () => {
    if (alive) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(data, { recursive: true, force: true });
    // For a failing run: everything the cluster printed (CLUSTER_E2E_LOG=/tmp/cluster.log).
    if (process.env.CLUSTER_E2E_LOG) appendFileSync(process.env.CLUSTER_E2E_LOG, output);
  };
  const deadline = Date.now() + 170_000;
  for (;;) {
    if (read()?.ready) break;
    if (!alive || Date.now() > deadline) {
      await close();
      throw new Error(`the cluster did not start:\n${output.slice(-4000)}`);
    }
    await pause(500);
  }
  const first = read() as State;
  const origin = (port: number) => `http://127.0.0.1:${port}`;
  const state = () => read() ?? first;
  return {
    web: first.web,
    api: first.api,
    webs: first.ports.webs.map(origin),
    apis: first.ports.apis.map(origin),
    state,
    kill: async (name, signal) => {
      const pid = state().pids[name];
      if (pid === undefined) throw new Error(`${name} is not running`);
      process.kill(pid, signal);
      for (let i = 0; i < 100 && state().pids[name] === pid; i++) await pause(100);
    },
    restart: async (name) => {
      child.kill("SIGHUP");
      for (let i = 0; i < 100 && state().pids[name] === undefined; i++) await pause(100);
    },
    output: () => output,
    close,
  };
}

/** An answer, or `status: 0` with `error` when none came (a timeout, a reset). */
export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  error?: string;
}

export interface CallOptions {
  method?: string;
  body?: unknown;
  cookie?: string;
  /** The balancer's origin, sent as `Host` and `Origin`. */
  publicOrigin: string;
  /** @default 10_000 */
  timeoutMs?: number;
  headers?: Record<string, string>;
}

/**
 * One HTTP request to `origin` (a balancer or one instance), as the web balancer would forward
 * it: `Host` and `Origin` are the public origin's, so any instance treats it as same-origin.
 */
export function call(origin: string, path: string, options: CallOptions): Promise<Answer> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve) => {
    const request = httpRequest(new URL(path, origin), {
      method: options.method ?? "GET",
      headers: {
        host: new URL(options.publicOrigin).host,
        origin: options.publicOrigin,
        "sec-fetch-site": "same-origin",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(options.cookie ? { cookie: options.cookie } : {}),
        ...options.headers,
      },
      timeout: options.timeoutMs ?? 10_000,
    });
    request.on("timeout", () => request.destroy(new Error("timeout")));
    request.on("error", (error) =>
      resolve({ status: 0, headers: {}, text: "", error: error.message }),
    );
    request.on("response", (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk) => (text += chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text }),
      );
      response.on("error", (error) =>
        resolve({ status: 0, headers: {}, text, error: error.message }),
      );
    });
    request.end(body);
  });
}

/** The `name=value` pairs of a response's Set-Cookie headers, as a Cookie header. */
export function cookieOf(answer: Answer): string {
  const set = answer.headers["set-cookie"] ?? [];
  return (Array.isArray(set) ? set : [set])
    .map((line) => line.split(";")[0])
    .filter((pair) => pair !== undefined && !/=$/.test(pair))
    .join("; ");
}

/** A problem+json answer's `code`, or undefined. */
export function codeOf(answer: Answer): string | undefined {
  try {
    return (JSON.parse(answer.text) as { code?: string }).code;
  } catch {
    return undefined;
  }
}
