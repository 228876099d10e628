import { rmSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { InvalidDatabaseConfigError } from "../errors.js";

/** Lock files this process holds, to tell its own second open from a stale file. */
const held = new Set<string>();

/**
 * Takes `<dataDir>.lock` (holding our pid) for as long as PGlite has the directory open: PGlite
 * itself does not notice a second process opening the same files, and two writers corrupt
 * them. A lock whose process is gone is taken over, as is one with our own pid that we do not
 * hold (a container restarted with the same pid, as PostgreSQL's postmaster.pid check allows).
 * A second open of the directory in this process is refused like another process's.
 *
 * The file is deleted by the returned function (a clean close), and, should the process exit
 * without closing (Next exits once it has drained its requests), on the process's `exit`. A
 * killed process leaves it behind; the next open finds its pid gone and takes it over.
 *
 * @returns a function that releases the lock.
 * @throws {InvalidDatabaseConfigError} `ERR_INVALID_CONFIG` while another process (or another
 *   open database of this one) uses the directory.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const path = `${dataDir}.lock`;
  for (let attempt = 1; ; attempt++) {
    try {
      // 0600, like the directory beside it: only its owner has any business reading it.
      await writeFile(path, `${process.pid}\n`, { flag: "wx", mode: 0o600 });
      hold(path);
      let released: Promise<void> | undefined;
      return () => {
        released ??= (async () => {
          await rm(path, { force: true });
          letGo(path);
        })();
        return released;
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = Number((await readFile(path, "utf8").catch(() => "")).trim());
    const stale = owner === process.pid ? !held.has(path) : !isRunning(owner);
    if (!stale || attempt === 2) {
      throw new InvalidDatabaseConfigError(
        `The PGlite database in ${dataDir} is in use by process ${owner || "unknown"}. ` +
          `Stop it or set DATA_DIR to another directory; if no such process runs, delete ${path}.`,
      );
    }
    await rm(path, { force: true });
  }
}

function hold(path: string): void {
  // One listener for every lock, so many open databases never trip MaxListenersExceeded.
  if (held.size === 0) process.on("exit", releaseAllOnExit);
  held.add(path);
}

function letGo(path: string): void {
  held.delete(path);
  if (held.size === 0) process.off("exit", releaseAllOnExit);
}

/**
 * Deletes every lock file this process holds. Runs on `exit`, where only synchronous work
 * happens; exported for its test.
 */
export function releaseAllOnExit(): void {
  for (const path of held) rmSync(path, { force: true });
  held.clear();
  process.off("exit", releaseAllOnExit);
}

/** Whether a process with this pid exists (the test cluster uses it for its own files). */
export function isRunning(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0); // signal 0: checks that the process exists, sends nothing
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"; // exists, owned by another user
  }
}
