/**
 * Test fixture: a throwaway PostgreSQL cluster in a temporary folder, for the database tests
 * when `TEST_DATABASE_URL` is not set. Uses the server binaries of an installed PostgreSQL
 * (Debian: `apt-get install postgresql`); as root, runs them as the `postgres` user, since
 * PostgreSQL refuses to run as root. Not imported by application code.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { chown, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import { isRunning } from "../lib/lock.js";

const exec = promisify(execFile);

/** Every cluster's folder is `<tmpdir>/taskflow-pg-<random>`, with the pid of its owner in it. */
const PREFIX = "taskflow-pg-";
const OWNER_FILE = "owner.pid";

/** A running cluster: connect as `postgres` (trust auth) to `url`. */
export interface Cluster {
  readonly url: string;
  stop(): Promise<void>;
}

/** How to make the storage tests find a PostgreSQL; part of every "none found" message. */
export const HOW_TO_PROVIDE_POSTGRES =
  "Set TEST_DATABASE_URL to a server where that user may CREATE DATABASE " +
  "(e.g. postgres://postgres:postgres@127.0.0.1:5432/postgres), or install PostgreSQL's server " +
  "binaries (Debian: apt-get install postgresql) so the tests start a throwaway cluster.";

/**
 * Creates (initdb), starts (pg_ctl) and, on `stop()`, deletes a private cluster listening on
 * 127.0.0.1 at a free port. Durability is off (fsync, full_page_writes): its data is thrown away.
 *
 * @example
 * ```ts
 * const cluster = await startCluster();
 * // … connect to cluster.url …
 * await cluster.stop();
 * ```
 */
export async function startCluster(): Promise<Cluster> {
  const bin = await findServerBinaries();
  const owner = process.getuid?.() === 0 ? await userIds("postgres") : undefined;
  const run = (program: string, args: string[]) =>
    owner === undefined
      ? exec(join(bin, program), args)
      : exec("runuser", ["-u", "postgres", "--", join(bin, program), ...args]);

  await removeOrphans(run);
  const root = await mkdtemp(join(tmpdir(), PREFIX));
  const data = join(root, "data");
  try {
    await writeFile(join(root, OWNER_FILE), `${process.pid}\n`);
    if (owner !== undefined) await chown(root, owner.uid, owner.gid);
    await run("initdb", [
      ...["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"],
    ]);
    const stop = async () => {
      await run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]).catch(() => {});
      await rm(root, { recursive: true, force: true });
    };
    // The free port may be taken between the probe and the start: try another one.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const settings = [
        ...["-c listen_addresses=127.0.0.1", `-p ${port}`, `-k ${root}`],
        ...["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"],
        "-c max_connections=200",
      ];
      try {
        await run("pg_ctl", [
          "-D",
          data,
          "-l",
          join(root, "log"),
          "-w",
          "-t",
          "30",
          "-o",
          settings.join(" "),
          "start",
        ]);
        return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop };
      } catch (error) {
        if (attempt === 3) throw error;
      }
    }
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw new Error(
      `Could not start a throwaway PostgreSQL (${String(error)}). ${HOW_TO_PROVIDE_POSTGRES}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Stops and deletes the clusters of earlier runs that were killed before their teardown ran
 * (their owner process is gone), so that interrupted runs do not pile up servers.
 */
async function removeOrphans(run: (program: string, args: string[]) => Promise<unknown>) {
  for (const name of await readdir(tmpdir())) {
    if (!name.startsWith(PREFIX)) continue;
    const root = join(tmpdir(), name);
    const owner = Number(await readFile(join(root, OWNER_FILE), "utf8").catch(() => "0"));
    // No owner file yet: another run may be creating it right now; leave it alone.
    if (owner === 0 || isRunning(owner)) continue;
    await run("pg_ctl", ["-D", join(root, "data"), "-m", "immediate", "-w", "stop"]).catch(
      () => {},
    );
    await rm(root, { recursive: true, force: true });
  }
}

/**
 * The folder holding `initdb` and `pg_ctl`: Debian's newest, or the first on `PATH`. Also used
 * by `npm run start:cluster` (scripts/start-cluster.mjs), whose PostgreSQL is kept, not thrown away.
 */
export async function findServerBinaries(): Promise<string> {
  const debian = "/usr/lib/postgresql";
  const versions = existsSync(debian) ? await readdir(debian) : [];
  const candidates = [
    ...versions
      .sort((a, b) => Number(b) - Number(a))
      .map((version) => join(debian, version, "bin")),
    ...(process.env.PATH ?? "").split(delimiter).filter(Boolean),
  ];
  const found = candidates.find(
    (dir) => existsSync(join(dir, "initdb")) && existsSync(join(dir, "pg_ctl")),
  );
  if (found === undefined) {
    throw new Error(
      `No PostgreSQL server binaries (initdb, pg_ctl) found. ${HOW_TO_PROVIDE_POSTGRES}`,
    );
  }
  return found;
}

/** The uid and gid of `name` (as root, PostgreSQL runs as `postgres`: it refuses root). */
export async function userIds(name: string): Promise<{ uid: number; gid: number }> {
  try {
    const [uid, gid] = await Promise.all([exec("id", ["-u", name]), exec("id", ["-g", name])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    throw new Error(
      `Running as root, but there is no "${name}" user to run PostgreSQL as. ${HOW_TO_PROVIDE_POSTGRES}`,
    );
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address !== null
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}
