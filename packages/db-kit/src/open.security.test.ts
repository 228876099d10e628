import { chmod, lstat, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS } from "./fixtures/index.js";
import { openDatabase } from "./open.js";

const options = { migrations: MIGRATIONS };

/** `path` and everything beneath it that group or others may reach, as `path mode`. */
async function openToOthers(path: string): Promise<{ count: number; open: string[] }> {
  const paths = [path, ...(await readdir(path, { recursive: true })).map((p) => join(path, p))];
  const open: string[] = [];
  for (const full of paths) {
    const mode = (await lstat(full)).mode & 0o7777;
    if ((mode & 0o077) !== 0) open.push(`${relative(path, full) || "."} ${mode.toString(8)}`);
  }
  return { count: paths.length, open };
}

describe("a PGlite directory", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "db-kit-modes-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("is created with its lock for the owner only (users, password hashes, sessions, tasks)", async () => {
    const dataDir = join(dir, "fresh", "pglite");
    const database = await openDatabase({ kind: "pglite", dataDir }, options);
    try {
      expect((await lstat(`${dataDir}.lock`)).mode & 0o777).toBe(0o600);
      const walked = await openToOthers(join(dir, "fresh"));
      expect(walked.count).toBeGreaterThan(500);
      expect(walked.open).toEqual([]);
    } finally {
      await database.close();
    }
    expect((await openToOthers(join(dir, "fresh"))).open).toEqual([]);
  });

  it("is tightened on open when an older version left it open to others", async () => {
    const dataDir = join(dir, "old", "pglite");
    await (await openDatabase({ kind: "pglite", dataDir }, options)).close();
    for (const path of ["", ...(await readdir(dataDir, { recursive: true }))]) {
      const full = join(dataDir, path);
      await chmod(full, (await lstat(full)).isDirectory() ? 0o777 : 0o666);
    }
    await writeFile(`${dataDir}.lock`, "not a pid\n");
    await chmod(`${dataDir}.lock`, 0o666);
    expect((await openToOthers(dataDir)).open.length).toBeGreaterThan(500);

    const database = await openDatabase({ kind: "pglite", dataDir }, options);
    try {
      expect((await lstat(`${dataDir}.lock`)).mode & 0o777).toBe(0o600);
      expect((await openToOthers(dataDir)).open).toEqual([]);
    } finally {
      await database.close();
    }
  });
});
