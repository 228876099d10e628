import { chmod, lstat, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePrivateDir, tightenTree } from "./private.js";

const mode = async (path: string) => (await lstat(path)).mode & 0o7777;

describe("the database's private directories", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "db-kit-private-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("creates a directory and its missing parents 0700", async () => {
    await makePrivateDir(join(dir, "made", "data", "pglite"));
    expect(await mode(join(dir, "made"))).toBe(0o700);
    expect(await mode(join(dir, "made", "data"))).toBe(0o700);
    expect(await mode(join(dir, "made", "data", "pglite"))).toBe(0o700);
  });

  it("closes an existing directory to others, leaving what is inside for tightenTree", async () => {
    const existing = join(dir, "existing");
    await mkdir(existing);
    await chmod(existing, 0o777);
    await writeFile(join(existing, "f"), "x");
    await chmod(join(existing, "f"), 0o666);
    await makePrivateDir(existing);
    expect(await mode(existing)).toBe(0o700);
    expect(await mode(join(existing, "f"))).toBe(0o666);
  });

  it("takes group and other bits off everything beneath, and never adds an owner bit", async () => {
    const tree = join(dir, "tree");
    await mkdir(join(tree, "base", "1"), { recursive: true });
    const files = { loose: 0o666, group: 0o640, readOnly: 0o444, tight: 0o600, bare: 0o000 };
    for (const [name, bits] of Object.entries(files)) {
      await writeFile(join(tree, "base", "1", name), name);
      await chmod(join(tree, "base", "1", name), bits);
    }
    await chmod(join(tree, "base", "1"), 0o775);
    await chmod(join(tree, "base"), 0o2755); // setgid: kept, it grants others nothing
    await chmod(tree, 0o777);

    await tightenTree(tree);

    expect(await mode(tree)).toBe(0o700);
    expect(await mode(join(tree, "base"))).toBe(0o2700);
    expect(await mode(join(tree, "base", "1"))).toBe(0o700);
    const after = { loose: 0o600, group: 0o600, readOnly: 0o400, tight: 0o600, bare: 0o000 };
    for (const [name, bits] of Object.entries(after)) {
      expect([name, await mode(join(tree, "base", "1", name))]).toEqual([name, bits]);
    }
  });

  it("does not follow a symbolic link out of the tree", async () => {
    const outside = join(dir, "outside");
    await mkdir(outside);
    await chmod(outside, 0o755);
    await writeFile(join(outside, "file"), "not the database's");
    await chmod(join(outside, "file"), 0o644);
    const tree = join(dir, "linked");
    await mkdir(tree);
    await chmod(tree, 0o755);
    await symlink(join(outside, "file"), join(tree, "file-link"));
    await symlink(outside, join(tree, "dir-link"));
    await tightenTree(tree);
    expect(await mode(tree)).toBe(0o700);
    expect(await mode(outside)).toBe(0o755);
    expect(await mode(join(outside, "file"))).toBe(0o644);
  });
});
