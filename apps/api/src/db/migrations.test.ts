import { execFile } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { MIGRATIONS_FOLDER } from "./migrations.js";

const exec = promisify(execFile);
const apiRoot = fileURLToPath(new URL("../..", import.meta.url));
const kit = fileURLToPath(new URL("./drizzle-kit.mjs", import.meta.url));

/** Every file under `dir` with its content, to tell whether drizzle-kit wrote anything. */
async function contents(dir: string): Promise<Record<string, string>> {
  const files = await readdir(dir, { recursive: true, withFileTypes: true });
  const entries = await Promise.all(
    files
      .filter((file) => file.isFile())
      .map(async (file) => {
        const path = join(file.parentPath, file.name);
        return [relative(dir, path), await readFile(path, "utf8")] as const;
      }),
  );
  return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Runs `drizzle-kit generate` for `schema.ts` into a copy of the committed migrations and
 * returns its output and whatever it added. drizzle-kit exits 0 even when it fails, so the
 * output is what tells.
 */
async function generateIntoCopy(edit?: (out: string) => Promise<void>) {
  const out = await mkdtemp(join(tmpdir(), "taskflow-drizzle-"));
  temporary.push(out);
  await cp(MIGRATIONS_FOLDER, out, { recursive: true });
  await edit?.(out);
  const before = await contents(out);
  const { stdout, stderr } = await exec(
    process.execPath,
    // drizzle-kit prefixes `--out` with "./", so it must be relative.
    [
      kit,
      "generate",
      "--dialect",
      "postgresql",
      "--schema",
      "./src/db/schema.ts",
      "--out",
      relative(apiRoot, out),
    ],
    { cwd: apiRoot, env: { ...process.env, NO_COLOR: "1" } },
  );
  const after = await contents(out);
  const added = Object.keys(after).filter((name) => before[name] !== after[name]);
  return {
    output: stdout + stderr,
    added: Object.fromEntries(added.map((name) => [name, after[name]])),
  };
}

const temporary: string[] = [];
afterEach(async () => {
  await Promise.all(temporary.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe("the committed migrations", () => {
  it("live in apps/api/drizzle, where the build finds them too", () => {
    expect(MIGRATIONS_FOLDER).toBe(join(apiRoot, "drizzle"));
  });

  it("list in their journal exactly the SQL files that exist", async () => {
    const journal = JSON.parse(
      await readFile(join(MIGRATIONS_FOLDER, "meta/_journal.json"), "utf8"),
    );
    const tags = (journal.entries as { tag: string }[]).map((entry) => `${entry.tag}.sql`);
    const files = (await readdir(MIGRATIONS_FOLDER)).filter((name) => name.endsWith(".sql"));
    expect(files.sort()).toEqual(tags.sort());
  });

  it("match schema.ts: drizzle-kit generate finds nothing to add (else run npm run db:generate)", async () => {
    const { output, added } = await generateIntoCopy();
    expect(
      added,
      "schema.ts changed without a migration: run `npm run db:generate -w api`",
    ).toEqual({});
    expect(output).toContain("No schema changes");
  }, 30_000);

  it("and that check fails when the schema and the migrations disagree", async () => {
    const { output, added } = await generateIntoCopy(async (out) => {
      // Pretend the last migration made titles 100 characters long.
      const snapshots = (await readdir(join(out, "meta"))).filter((name) =>
        name.endsWith("_snapshot.json"),
      );
      const path = join(out, "meta", snapshots.sort().at(-1) as string);
      await writeFile(path, (await readFile(path, "utf8")).replace("varchar(200)", "varchar(100)"));
    });
    expect(output).not.toContain("No schema changes");
    expect(Object.values(added).join("\n")).toContain("varchar(200)");
  }, 30_000);
});
