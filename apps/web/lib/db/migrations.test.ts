import { execFile } from "node:child_process";
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { migrationsFolder } from "./migrations";

const exec = promisify(execFile);
const webRoot = fileURLToPath(new URL("../..", import.meta.url));
const kit = join(dirname(createRequire(import.meta.url).resolve("drizzle-kit")), "bin.cjs");
const temporary: string[] = [];
afterAll(() => Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true }))));

describe("the committed migrations", () => {
  it("match lib/db/schema.ts (drizzle-kit generates nothing new)", async () => {
    const out = await mkdtemp(join(tmpdir(), "taskflow-web-drizzle-"));
    temporary.push(out);
    await cp(migrationsFolder(webRoot), out, { recursive: true });
    const before = await readdir(out, { recursive: true });
    const { stdout, stderr } = await exec(
      process.execPath,
      // drizzle-kit prefixes `--out` with "./", so it must be relative.
      [
        kit,
        "generate",
        "--dialect",
        "postgresql",
        "--schema",
        "./lib/db/schema.ts",
        "--out",
        relative(webRoot, out),
      ],
      { cwd: webRoot, env: { ...process.env, NO_COLOR: "1" } },
    );
    expect(stdout + stderr).toMatch(/No schema changes/);
    expect(await readdir(out, { recursive: true })).toEqual(before);
  });
});
