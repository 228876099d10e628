import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lockDataDir } from "./lock.js";

describe("lockDataDir", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "taskflow-lock-"));
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
});
