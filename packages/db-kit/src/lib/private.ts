import { chmod, lstat, mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";

/** The permission bits of group and others: none of them on what the database holds. */
const GROUP_AND_OTHER = 0o077;

/**
 * Creates `dir` and its missing parents with mode 0700, or takes group and other permissions
 * off `dir` itself when it exists: with the directory closed, nothing beneath it can be reached
 * by another user, whatever the modes of its files.
 */
export async function makePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await tighten(dir, false);
}

/**
 * Takes group and other permissions off `dir` and everything beneath it. The owner's bits are
 * kept as they are, so nothing is ever loosened; symbolic links are not followed, so nothing
 * outside `dir` is touched. Needed even under a 0077 umask: PGlite's initdb writes its files
 * 0666 regardless (PostgreSQL itself refuses a data directory others can read).
 */
export async function tightenTree(dir: string): Promise<void> {
  await tighten(dir, true);
}

async function tighten(path: string, recursive: boolean): Promise<void> {
  let stats: Awaited<ReturnType<typeof lstat>>;
  try {
    stats = await lstat(path);
  } catch (error) {
    // Deleted since it was listed: PGlite removes files while it runs.
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  if (stats.isSymbolicLink()) return;
  if ((stats.mode & GROUP_AND_OTHER) !== 0) {
    await chmod(path, stats.mode & 0o7777 & ~GROUP_AND_OTHER);
  }
  if (recursive && stats.isDirectory()) {
    const names = await readdir(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return [];
      throw error;
    });
    for (const name of names) await tighten(join(path, name), true);
  }
}
