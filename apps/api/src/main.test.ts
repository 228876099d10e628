/**
 * The `start` script as an operator runs it: the compiled `dist/main.js` in its own process,
 * configured only by the environment, on embedded defaults (PGlite under DATA_DIR, the built-in
 * agent), stopped with SIGTERM.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readEvents } from "./testing/agent.js";
import {
  AUDIENCE,
  createSigningKey,
  ISSUER,
  type JwksServer,
  type SigningKey,
  sign,
  startJwksServer,
} from "./testing/issuer.js";

const root = new URL("..", import.meta.url).pathname;
let key: SigningKey;
let jwks: JwksServer;
let dataDir: string;

beforeAll(async () => {
  // The same build `npm start` runs.
  execFileSync(
    process.execPath,
    [join(root, "../../node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
    {
      cwd: root,
      stdio: "pipe",
    },
  );
  key = await createSigningKey("k1");
  jwks = await startJwksServer([key]);
  dataDir = mkdtempSync(join(tmpdir(), "taskflow-main-"));
}, 120_000);
afterAll(async () => {
  await jwks?.close();
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Running {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

async function start(env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, ["dist/main.js"], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" line:\n${output}`)), 30_000);
    const check = () => {
      const line = output.split("\n").find((l) => l.includes('"msg":"listening"'));
      if (line !== undefined) {
        clearTimeout(timer);
        resolve(JSON.parse(line).url);
      }
    };
    child.stdout?.on("data", check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`exited before listening:\n${output}`));
    });
  });
  return { child, url, output: () => output, exited };
}

const authEnv = () => ({
  AUTH_JWKS_URL: jwks.url.href,
  AUTH_ISSUER: ISSUER,
  AUTH_AUDIENCE: AUDIENCE,
});

describe("the API process (dist/main.js)", () => {
  it("serves on embedded defaults, keeps tasks across a restart, and stops cleanly on SIGTERM", async () => {
    const env = { ...authEnv(), PORT: String(await freePort()), DATA_DIR: dataDir };
    const token = await sign(key, { tenant_id: "tenant_main", sub: "op" });
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };

    const first = await start(env);
    expect((await fetch(new URL("/health", first.url))).status).toBe(200);
    const health = await fetch(new URL("/v1/agent/health", first.url), { headers });
    expect(await health.json()).toEqual({ status: "ok", brain: "builtin" });
    const created = await fetch(new URL("/api/tasks", first.url), {
      method: "POST",
      headers,
      body: JSON.stringify({ title: "Survive a restart" }),
    });
    expect(created.status).toBe(201);
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('"msg":"stopped"');
    expect(first.output()).not.toContain(token);

    const second = await start(env);
    const listed = (await (await fetch(new URL("/api/tasks", second.url), { headers })).json()) as {
      items: { title: string }[];
    };
    expect(listed.items.map((task) => task.title)).toEqual(["Survive a restart"]);
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  }, 90_000);

  it("on SIGTERM during an agent stream: /ready is 503 at once, new connections are refused after SHUTDOWN_DELAY_MS, the stream completes, exit 0", async () => {
    const env = {
      ...authEnv(),
      PORT: String(await freePort()),
      DATA_DIR: join(dataDir, "drain"),
      // About 50 words of "help" at 60 ms each: a stream of some 3 s.
      AGENT_WORD_DELAY_MS: "60",
      SHUTDOWN_DELAY_MS: "500",
      SHUTDOWN_DRAIN_MS: "20000",
    };
    const token = await sign(key, { tenant_id: "tenant_main", sub: "op" });
    const running = await start(env);
    expect((await fetch(new URL("/ready", running.url))).status).toBe(200);

    const response = await fetch(new URL("/v1/agent/chat", running.url), {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ message: "help" }),
    });
    const events = readEvents(response);
    expect((await events.next()).value?.type).toBe("session");
    expect((await events.next()).value?.type).toBe("delta");

    const signalled = Date.now();
    running.child.kill("SIGTERM");
    let ready = 200;
    while (ready === 200 && Date.now() - signalled < 400) {
      ready = (await fetch(new URL("/ready", running.url))).status;
    }
    expect(ready).toBe(503);
    expect((await fetch(new URL("/health", running.url))).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 800));
    await expect(fetch(new URL("/ready", running.url))).rejects.toThrow();

    const rest = [];
    for await (const event of events) rest.push(event);
    expect(rest.at(-1)?.type).toBe("done");
    expect(Date.now() - signalled).toBeGreaterThan(1_500);
    expect(await running.exited).toBe(0);
    expect(running.output()).toContain('"msg":"stopped"');
  }, 90_000);

  it("refuses to start with a bad configuration, naming every problem in one message", async () => {
    const child = spawn(process.execPath, ["dist/main.js"], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", PORT: "eighty", DATABASE_URL: "mysql://u:hunter2@db/x" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const code = await new Promise((resolve) => child.on("exit", resolve));
    expect(code).toBe(1);
    for (const name of ["PORT", "AUTH_JWKS_URL", "AUTH_ISSUER", "AUTH_AUDIENCE"]) {
      expect(output).toContain(name);
    }
    expect(output).not.toContain("hunter2");
    expect(output).not.toMatch(/\n\s+at /); // no stack trace
  }, 30_000);
});
