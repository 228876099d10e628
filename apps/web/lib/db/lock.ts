import { rmSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";

/**
 * Takes `<dataDir>.lock` (holding our pid) while PGlite has the directory open: PGlite does not
 * notice a second process opening the same files, and two writers corrupt them. A lock whose
 * process is gone is taken over. The same scheme as apps/api's, so the two never share a
 * directory by mistake.
 *
 * @returns a function that releases the lock.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const path = `${dataDir}.lock`;
  for (let attempt = 1; ; attempt++) {
    try {
      // 0600, like the directory beside it: only its owner has any business reading it.
      await writeFile(path, `${process.pid}\n`, { flag: "wx", mode: 0o600 });
      // A process that exits without closing the database (Next exits once it has drained
      // its requests) still gives the directory back.
      const onExit = () => rmSync(path, { force: true });
      process.once("exit", onExit);
      return async () => {
        process.off("exit", onExit);
        await rm(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = Number((await readFile(path, "utf8").catch(() => "")).trim());
    if ((owner !== process.pid && isRunning(owner)) || attempt === 2) {
      throw new Error(
        `The PGlite database in ${dataDir} is in use by process ${owner || "unknown"}. ` +
          `Stop it or set DATA_DIR to another directory; if no such process runs, delete ${path}.`,
      );
    }
    await rm(path, { force: true });
  }
}

function isRunning(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0); // signal 0: checks that the process exists, sends nothing
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"; // exists, owned by another user
  }
}
