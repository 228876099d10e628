/**
 * Data at rest, as the built API process (`dist/main.js`) leaves it: its data directory holds
 * every task in the clear, so nothing in it may be readable, writable or searchable by group or
 * others, whatever umask the process was started with and whatever an older version left there.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import {
  chmodSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "./database.js";
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
let build: string;
let dir: string;
let key: SigningKey;
let jwks: JwksServer;

beforeAll(async () => {
  // The build `npm start` runs (tsconfig.build.json), emitted into a folder of this file's own:
  // main.test.ts rebuilds dist/ in another worker at the same time. Beside it, what dist/ finds
  // next to itself in apps/api: the migrations (../drizzle), the packages, `"type": "module"`.
  build = mkdtempSync(join(tmpdir(), "taskflow-build-"));
  execFileSync(
    process.execPath,
    [
      join(root, "../../node_modules/typescript/bin/tsc"),
      ...["-p", "tsconfig.build.json", "--outDir", join(build, "dist")],
    ],
    { cwd: root, stdio: "pipe" },
  );
  symlinkSync(join(root, "drizzle"), join(build, "drizzle"));
  symlinkSync(join(root, "../../node_modules"), join(build, "node_modules"));
  writeFileSync(join(build, "package.json"), '{ "type": "module" }\n');
  key = await createSigningKey("k1");
  jwks = await startJwksServer([key]);
  dir = mkdtempSync(join(tmpdir(), "taskflow-modes-"));
}, 120_000);
afterAll(async () => {
  await jwks?.close();
  for (const path of [build, dir]) if (path) rmSync(path, { recursive: true, force: true });
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
  exited: Promise<number | null>;
}

/** Starts `node dist/main.js` from a shell whose umask is 000: nothing masks its files for it. */
async function start(dataDir: string): Promise<Running> {
  const child = spawn("/bin/sh", ["-c", 'umask 000 && exec "$0" dist/main.js', process.execPath], {
    cwd: build,
    env: {
      PATH: process.env.PATH ?? "",
      PORT: String(await freePort()),
      DATA_DIR: dataDir,
      AUTH_JWKS_URL: jwks.url.href,
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" line:\n${output}`)), 30_000);
    child.stdout?.on("data", () => {
      const line = output.split("\n").find((l) => l.includes('"msg":"listening"'));
      if (line !== undefined) {
        clearTimeout(timer);
        resolve(JSON.parse(line).url);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`exited before listening:\n${output}`));
    });
  });
  return { child, url, exited };
}

async function stop(running: Running): Promise<void> {
  running.child.kill("SIGTERM");
  expect(await running.exited).toBe(0);
}

/** Makes PGlite write: tasks in a table of their own, in a tenant of their own. */
async function createTasks(running: Running, titles: string[]): Promise<void> {
  const token = await sign(key, { tenant_id: "tenant_modes", sub: "op" });
  for (const title of titles) {
    const response = await fetch(new URL("/api/tasks", running.url), {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ title }),
    });
    expect(response.status).toBe(201);
  }
}

/** The permission bits of `path` and of everything beneath it, by path relative to `path`. */
function modes(path: string): Map<string, number> {
  const found = new Map([[".", lstatSync(path).mode & 0o7777]]);
  if (!lstatSync(path).isDirectory()) return found;
  for (const entry of readdirSync(path, { recursive: true, withFileTypes: true })) {
    const full = join(entry.parentPath, entry.name);
    try {
      found.set(relative(path, full), lstatSync(full).mode & 0o7777);
    } catch (error) {
      // PGlite removes files while it runs.
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  return found;
}

/** The entries that group or others may read, write or search, as `path mode`. */
function open(found: Map<string, number>): string[] {
  return [...found]
    .filter(([, mode]) => (mode & 0o077) !== 0)
    .map(([path, mode]) => `${path} ${mode.toString(8)}`);
}

/** The process's umask, from Linux's /proc (as a string such as "0077"). */
function umaskOf(pid: number | undefined): string | undefined {
  return /^Umask:\s*(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
}

describe("the API process's data at rest", () => {
  it("creates DATA_DIR, its PGlite files and its lock for the owner only, though started under umask 000", async () => {
    const parent = join(dir, "fresh");
    const dataDir = join(parent, "data");
    const running = await start(dataDir);
    try {
      expect(umaskOf(running.child.pid)).toBe("0077");
      await createTasks(running, ["one", "two", "three"]);
      expect(lstatSync(join(dataDir, "pglite.lock")).mode & 0o777).toBe(0o600);
      const whileRunning = modes(parent);
      // Not an empty walk: PostgreSQL's whole cluster is there.
      expect(whileRunning.size).toBeGreaterThan(500);
      expect(whileRunning.get("data/pglite/PG_VERSION")).toBe(0o600);
      expect(whileRunning.get("data/pglite/base")).toBe(0o700);
      expect(whileRunning.get("data")).toBe(0o700);
      expect(whileRunning.get(".")).toBe(0o700);
      expect(open(whileRunning)).toEqual([]);
    } finally {
      await stop(running);
    }
    const afterStop = modes(parent);
    expect(afterStop.has("data/pglite.lock")).toBe(false);
    expect(afterStop.size).toBeGreaterThan(500);
    expect(open(afterStop)).toEqual([]);
  }, 60_000);

  it("tightens a PGlite directory and lock an older version left open to others, loosening nothing", async () => {
    const dataDir = join(dir, "old");
    const pglite = join(dataDir, "pglite");
    // A database as an older version left it: everything world-readable and writable, and a
    // lock from a process that is gone.
    const earlier = await openDatabase({ kind: "pglite", dataDir: pglite });
    await earlier.close();
    for (const [path, mode] of modes(pglite)) {
      const full = join(pglite, path);
      chmodSync(full, lstatSync(full).isDirectory() ? 0o777 : 0o666);
      expect(mode & 0o077).toBe(0); // openDatabase made them private; now they are not
    }
    writeFileSync(join(dataDir, "pglite.lock"), `${2 ** 30}\n`, { mode: 0o666 });
    chmodSync(join(dataDir, "pglite.lock"), 0o666);
    // The owner's own bits are kept as they are: a read-only file stays read-only.
    chmodSync(join(pglite, "PG_VERSION"), 0o444);
    chmodSync(dataDir, 0o777);
    expect(open(modes(pglite)).length).toBeGreaterThan(500);

    const running = await start(dataDir);
    try {
      await createTasks(running, ["after the upgrade"]);
      expect(lstatSync(join(dataDir, "pglite.lock")).mode & 0o777).toBe(0o600);
      const tightened = modes(pglite);
      expect(tightened.get(".")).toBe(0o700);
      expect(tightened.get("base")).toBe(0o700);
      expect(tightened.get("global/pg_control")).toBe(0o600);
      expect(tightened.get("PG_VERSION")).toBe(0o400);
      expect(open(tightened)).toEqual([]);
      // DATA_DIR itself existed before the API did and may be shared (say, /srv): it is not the
      // API's to change. Closed pglite/ and lock keep the data private all the same.
      expect(lstatSync(dataDir).mode & 0o777).toBe(0o777);
    } finally {
      await stop(running);
    }
  }, 60_000);
});
