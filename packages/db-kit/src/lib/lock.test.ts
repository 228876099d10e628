import { access, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lockDataDir, releaseAllOnExit } from "./lock.js";

describe("lockDataDir", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "db-kit-lock-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("holds <dataDir>.lock with our pid, refuses a second holder, and releases it", async () => {
    const dataDir = join(dir, "held");
    const unlock = await lockDataDir(dataDir);
    expect(await readFile(`${dataDir}.lock`, "utf8")).toBe(`${process.pid}\n`);
    const error = await lockDataDir(dataDir).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ERR_INVALID_CONFIG" });
    expect((error as Error).message).toContain(`in use by process ${process.pid}`);
    await unlock();
    await expect(readFile(`${dataDir}.lock`)).rejects.toMatchObject({ code: "ENOENT" });
    await (await lockDataDir(dataDir))();
  });

  it("refuses while another running process holds the lock", async () => {
    const dataDir = join(dir, "other");
    await writeFile(`${dataDir}.lock`, `${process.ppid}\n`);
    await expect(lockDataDir(dataDir)).rejects.toMatchObject({ code: "ERR_INVALID_CONFIG" });
  });

  it.each([
    ["a process that has exited", String(2 ** 30)],
    ["this process's pid, left by an earlier run (a restarted container)", String(process.pid)],
    ["garbage", "not a pid"],
  ])("takes over a lock left by %s", async (_name, content) => {
    const dataDir = join(dir, `stale-${content.replace(/\W/g, "")}`);
    await writeFile(`${dataDir}.lock`, content);
    const unlock = await lockDataDir(dataDir);
    expect(await readFile(`${dataDir}.lock`, "utf8")).toBe(`${process.pid}\n`);
    await unlock();
  });

  it("counts a second open in this process as a holder, though the file has our own pid", async () => {
    const dataDir = join(dir, "twice");
    const unlock = await lockDataDir(dataDir);
    await expect(lockDataDir(dataDir)).rejects.toMatchObject({ code: "ERR_INVALID_CONFIG" });
    // The refusal left the holder's lock alone.
    expect(await readFile(`${dataDir}.lock`, "utf8")).toBe(`${process.pid}\n`);
    await unlock();
  });

  it("deletes the lock file on release, once, however often it is called", async () => {
    const dataDir = join(dir, "released");
    const unlock = await lockDataDir(dataDir);
    await Promise.all([unlock(), unlock()]);
    await expect(access(`${dataDir}.lock`)).rejects.toMatchObject({ code: "ENOENT" });
    expect(process.listeners("exit")).not.toContain(releaseAllOnExit);
  });

  it("gives back, when the process exits without closing, every directory it still holds", async () => {
    const [a, b] = [join(dir, "exit-a"), join(dir, "exit-b")];
    await lockDataDir(a);
    await lockDataDir(b);
    expect(process.listeners("exit").filter((l) => l === releaseAllOnExit)).toHaveLength(1);
    releaseAllOnExit(); // what process.on("exit") runs
    await expect(access(`${a}.lock`)).rejects.toMatchObject({ code: "ENOENT" });
    await expect(access(`${b}.lock`)).rejects.toMatchObject({ code: "ENOENT" });
    expect(process.listeners("exit")).not.toContain(releaseAllOnExit);
    await (await lockDataDir(a))(); // and the directory can be taken again
  });
});
