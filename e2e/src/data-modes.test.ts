/**
 * Data at rest, for the whole system as `npm start` runs it: once a user has signed up and
 * created a task (so both PGlite databases have written their files), nothing under the data
 * folder (users, password hashes, sessions, signing keys, tasks) is readable, writable or
 * searchable by group or others. The servers are started by this test runner, whose umask does
 * not matter: each server sets 0077 itself (apps/api's main.ts, apps/web's instrumentation.ts).
 */

import { randomBytes } from "node:crypto";
import { chmodSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { newUser } from "./session.js";
import { type System, startSystem } from "./system.js";

/** The permission bits of `dir` and of everything beneath it, by path relative to `dir`. */
function modes(dir: string): Map<string, number> {
  const found = new Map([[".", lstatSync(dir).mode & 0o7777]]);
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const full = join(entry.parentPath, entry.name);
    try {
      found.set(relative(dir, full), lstatSync(full).mode & 0o7777);
    } catch (error) {
      // PGlite removes files while it runs.
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  return found;
}

/** The entries that group or others may reach, as `path mode`. */
function openToOthers(found: Map<string, number>): string[] {
  return [...found]
    .filter(([, mode]) => (mode & 0o077) !== 0)
    .map(([path, mode]) => `${path} ${mode.toString(8)}`);
}

/** A process's umask, from Linux's /proc ("0077"). */
function umaskOf(pid: number | undefined): string | undefined {
  return /^Umask:\s*(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
}

/**
 * Signs a new user up through Better Auth and creates a task through Handoff, as the browser
 * would (same Origin); the web app writes its users, sessions and keys, the API its task.
 */
async function signUpAndCreateTask(system: System, title: string): Promise<void> {
  const origin = { origin: system.web, "content-type": "application/json" };
  const signUp = await fetch(`${system.web}/api/auth/sign-up/email`, {
    method: "POST",
    headers: origin,
    body: JSON.stringify(newUser()),
  });
  expect(signUp.status).toBe(200);
  const cookie = signUp.headers
    .getSetCookie()
    .map((line) => line.split(";")[0])
    .join("; ");
  const created = await fetch(`${system.web}/api/proxy/api/tasks`, {
    method: "POST",
    headers: { ...origin, cookie },
    body: JSON.stringify({ title }),
  });
  expect(created.status).toBe(201);
}

const systems: System[] = [];
const folders: string[] = [];
afterAll(async () => {
  for (const system of systems) await system.close();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

describe("data at rest", () => {
  it("leaves nothing under the data folder open to group or others after sign-up and a task", async () => {
    const system = await startSystem();
    systems.push(system);
    const { api, web } = system.pids();
    expect([umaskOf(api), umaskOf(web)]).toEqual(["0077", "0077"]);
    await signUpAndCreateTask(system, "Private at rest");

    const found = modes(system.data);
    // Both databases are there, with their locks, so the walk below is not an empty one.
    for (const app of ["api", "web"]) {
      expect(found.get(`${app}/pglite/PG_VERSION`)).toBe(0o600);
      expect(found.get(`${app}/pglite.lock`)).toBe(0o600);
      expect(found.get(`${app}/pglite`)).toBe(0o700);
      expect(found.get(app)).toBe(0o700);
    }
    expect(found.size).toBeGreaterThan(1_000);
    expect(openToOthers(found)).toEqual([]);
  });

  it("tightens the databases an older version left open to others", async () => {
    const data = mkdtempSync(join(tmpdir(), "taskflow-e2e-loose-"));
    folders.push(data);
    // The same secret both times: the signing keys in the database are encrypted with it.
    const webEnv = { BETTER_AUTH_SECRET: randomBytes(32).toString("base64url") };
    const first = await startSystem({ data, webEnv });
    await signUpAndCreateTask(first, "Before the upgrade");
    await first.close();
    // What an older version left: every directory 0777, every file 0666.
    for (const [path] of modes(data)) {
      const full = join(data, path);
      chmodSync(full, lstatSync(full).isDirectory() ? 0o777 : 0o666);
    }
    expect(openToOthers(modes(data)).length).toBeGreaterThan(1_000);

    const second = await startSystem({ data, webEnv });
    systems.push(second);
    // The web app opens its database on the first request that needs it; this one writes.
    await signUpAndCreateTask(second, "After the upgrade");

    const found = modes(data);
    // The DATA_DIRs (and the folder above them) existed before the servers did, and may be
    // shared: not theirs to change. What the apps name in them, they tighten.
    expect(openToOthers(found)).toEqual([". 777", "api 777", "web 777"]);
    for (const app of ["api", "web"]) {
      expect(found.get(`${app}/pglite`)).toBe(0o700);
      expect(found.get(`${app}/pglite.lock`)).toBe(0o600);
      expect(found.get(`${app}/pglite/PG_VERSION`)).toBe(0o600);
    }
    expect(found.size).toBeGreaterThan(1_000);
  });
});
