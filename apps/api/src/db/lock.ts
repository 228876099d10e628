import { readFile, rm, writeFile } from "node:fs/promises";
import { InvalidConfigError } from "../errors.js";

/** Lock files this process holds, to tell its own second open from a stale file. */
const held = new Set<string>();

/**
 * Takes `<dataDir>.lock` (holding our pid) for as long as PGlite has the directory open: PGlite
 * itself does not notice a second process opening the same files, and two writers corrupt
 * them. A lock whose process is gone is taken over, as is one with our own pid that we do not
 * hold (a container restarted with the same pid, as PostgreSQL's postmaster.pid check allows).
 *
 * @returns a function that releases the lock.
 * @throws {InvalidConfigError} `ERR_INVALID_CONFIG` while another process (or another open
 *   database of this one) uses the directory.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const path = `${dataDir}.lock`;
  for (let attempt = 1; ; attempt++) {
    try {
      // 0600, like the directory beside it: only its owner has any business reading it.
      await writeFile(path, `${process.pid}\n`, { flag: "wx", mode: 0o600 });
      held.add(path);
      return async () => {
        held.delete(path);
        await rm(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = Number((await readFile(path, "utf8").catch(() => "")).trim());
    const stale = owner === process.pid ? !held.has(path) : !isRunning(owner);
    if (!stale || attempt === 2) {
      throw new InvalidConfigError(
        `The PGlite database in ${dataDir} is in use by process ${owner || "unknown"}. ` +
          `Stop it or set DATA_DIR to another directory; if no such process runs, delete ${path}.`,
      );
    }
    await rm(path, { force: true });
  }
}

/** Whether a process with this pid exists (the test fixtures use it for their own files). */
export function isRunning(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0); // signal 0: checks that the process exists, sends nothing
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"; // exists, owned by another user
  }
}
