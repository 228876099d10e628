/**
 * The system under test, as `npm start` runs it: the production builds of apps/api
 * (`node dist/main.js`) and apps/web (`node server.mjs`: Handoff's front door before Next), each in its own process on 127.0.0.1 at a
 * free port, with fresh embedded databases in a temporary folder. Build first (`npm test` does:
 * handoff, api, web).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Service {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Starts a process and resolves once `url` answers (any status), or fails with its output. */
async function run(
  name: string,
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; ready: URL },
): Promise<Service> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let alive = true;
  void exited.then(() => (alive = false));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (!alive) throw new Error(`${name} exited before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${name} was not ready within 60 s:\n${output}`);
    }
    try {
      await fetch(options.ready, { signal: AbortSignal.timeout(2_000) });
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  return {
    child,
    output: () => output,
    stop: async () => {
      if (!alive) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface System {
  /** The folder of both databases: the API's DATA_DIR is `<data>/api`, the web app's `<data>/web`. */
  readonly data: string;
  /** The pids of the server processes (the API's is undefined while it is stopped). */
  pids(): { api: number | undefined; web: number | undefined };
  /** The dashboard's origin, `http://127.0.0.1:<port>`. */
  readonly web: string;
  /** The API's origin (the browser never talks to it). */
  readonly api: string;
  /** Stops the API process (SIGTERM); the web app keeps running. */
  stopApi(): Promise<void>;
  /** Starts the API again on the same port and data. */
  startApi(): Promise<void>;
  /** Everything the two servers printed, to search for secrets. */
  output(): string;
  close(): Promise<void>;
}

/**
 * Starts API and web on free ports with fresh data, or with the databases already in
 * `options.data`, which is then left in place by `close()`.
 *
 * @example
 * ```ts
 * const system = await startSystem();
 * afterAll(() => system.close());
 * ```
 */
export async function startSystem(
  options: { apiEnv?: Record<string, string>; webEnv?: Record<string, string>; data?: string } = {},
): Promise<System> {
  for (const built of ["apps/api/dist/main.js", "apps/web/.next/BUILD_ID"]) {
    if (!existsSync(join(root, built))) {
      throw new Error(
        `${built} is missing: build first (npm run build -w handoff-bff -w @handoff/db-kit -w api -w web).`,
      );
    }
  }
  const data = options.data ?? mkdtempSync(join(tmpdir(), "taskflow-e2e-"));
  const [webPort, apiPort] = [await freePort(), await freePort()];
  const web = `http://127.0.0.1:${webPort}`;
  const api = `http://127.0.0.1:${apiPort}`;
  const apiEnv = {
    PORT: String(apiPort),
    DATA_DIR: join(data, "api"),
    AUTH_JWKS_URL: `${web}/api/auth/jwks`,
    AUTH_ISSUER: web,
    AUTH_AUDIENCE: "taskflow-api",
    SHUTDOWN_DRAIN_MS: "2000",
    ...options.apiEnv,
  };
  const startApi = () =>
    run("api", process.execPath, ["dist/main.js"], {
      cwd: join(root, "apps/api"),
      env: apiEnv,
      ready: new URL("/health", api),
    });
  let apiService: Service | undefined = await startApi();
  let webService: Service;
  try {
    webService = await run("web", process.execPath, ["server.mjs"], {
      cwd: join(root, "apps/web"),
      env: {
        HOST: "127.0.0.1",
        PORT: String(webPort),
        NODE_ENV: "production",
        NEXT_TELEMETRY_DISABLED: "1",
        BETTER_AUTH_SECRET: randomBytes(32).toString("base64url"),
        BETTER_AUTH_URL: web,
        API_URL: api,
        API_AUDIENCE: "taskflow-api",
        DATA_DIR: join(data, "web"),
        ...options.webEnv,
      },
      ready: new URL("/sign-in", web),
    });
  } catch (error) {
    await apiService.stop();
    throw error;
  }
  let stoppedOutput = "";
  return {
    data,
    pids: () => ({ api: apiService?.child.pid, web: webService.child.pid }),
    web,
    api,
    stopApi: async () => {
      await apiService?.stop();
      stoppedOutput += apiService?.output() ?? "";
      apiService = undefined;
    },
    startApi: async () => {
      apiService ??= await startApi();
    },
    output: () => stoppedOutput + (apiService?.output() ?? "") + webService.output(),
    close: async () => {
      await apiService?.stop();
      await webService.stop();
      if (options.data === undefined) rmSync(data, { recursive: true, force: true });
    },
  };
}
