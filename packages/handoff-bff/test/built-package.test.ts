import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The package as built. The browser entries: a "use client" component imports them, so
// everything they load ends up in the page's bundle. They must load no server module (the
// ChatKit session handlers, the proxy, the token sources) and no package (undici, jose) or
// `node:` builtin. The types: nothing marked @internal is published.
const packageDir = fileURLToPath(new URL("..", import.meta.url));
const tsc = fileURLToPath(new URL("../../../node_modules/.bin/tsc", import.meta.url));

/** Modules a browser entry may load, relative to dist/: its own folder and browser helpers. */
const BROWSER_MODULES = [
  /^client\//,
  /^chatkit\/client\//,
  /^lib\/(?:media-type|event-stream|error-code)\.js$/,
];

interface Graph {
  /** Every module loaded, relative to the build's root. */
  modules: string[];
  /** Every import that is not a relative path: packages and builtins. */
  packages: string[];
}

/** The static and dynamic imports of the built entry, followed to the end. */
function moduleGraph(root: string, entry: string): Graph {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const pending = [join(root, entry)];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    // preProcessFile reads import and export declarations and import() calls, not comments.
    const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    for (const { fileName } of importedFiles) {
      if (fileName.startsWith(".")) pending.push(join(dirname(file), fileName));
      else packages.add(fileName);
    }
  }
  return {
    modules: [...seen].map((file) => relative(root, file).replaceAll("\\", "/")).sort(),
    packages: [...packages].sort(),
  };
}

let built: string;

beforeAll(() => {
  // Its own build, with the package's build settings: dist/ may be rebuilt by other tests.
  built = mkdtempSync(join(tmpdir(), "handoff-browser-"));
  execFileSync(tsc, ["-p", "tsconfig.build.json", "--outDir", built], { cwd: packageDir });
});

afterAll(() => {
  rmSync(built, { recursive: true, force: true });
});

describe.each(["chatkit/client/index.js", "client/index.js"])("the browser entry %s", (entry) => {
  it("loads no package and no node: builtin", () => {
    expect(moduleGraph(built, entry).packages).toEqual([]);
  });

  it("loads browser modules only, none of the server's", () => {
    const { modules } = moduleGraph(built, entry);
    expect(modules).toContain(entry);
    const foreign = modules.filter((path) => !BROWSER_MODULES.some((ok) => ok.test(path)));
    expect(foreign).toEqual([]);
  });
});

describe("the server entry chatkit/index.js", () => {
  it("is seen whole by the same walk (the check above can fail)", () => {
    const { modules } = moduleGraph(built, "chatkit/index.js");
    expect(modules).toContain("chatkit/sessions-api.js");
    expect(modules).toContain("errors.js");
    expect(modules.some((path) => path.startsWith("chatkit/client/"))).toBe(false);
  });
});

describe("the published types", () => {
  it("leave out the adapter-internal HandleContext.dropsContentEncoding", () => {
    const types = readFileSync(join(built, "proxy/create-proxy.d.ts"), "utf8");
    expect(types).toContain("interface HandleContext");
    expect(types).toContain("rawTarget?: string");
    expect(types).not.toContain("dropsContentEncoding");
  });
});
