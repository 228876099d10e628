// The two builds the benchmark measures: packages/handoff-bff (always, it takes seconds), then the
// Next app, skipped when nothing it is built from has changed since the last successful build.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "./processes.mjs";

const log = (...args) => console.error("[bench]", ...args);

export async function build({ root, appDir, nextBin, env, force, extra }) {
  log("npm run build -w handoff-bff …");
  await run("npm", ["run", "build", "-w", "handoff-bff"], { cwd: root, env });

  const inputs = [
    ...["app", "next.config.ts", "tsconfig.json"].map((p) => join(appDir, p)),
    ...["dist", "package.json"].map((p) => join(root, "packages/handoff-bff", p)),
  ];
  const stamp = fingerprint(inputs, extra);
  const stampFile = join(appDir, ".next/bench-fingerprint");
  if (!force && existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp) {
    return log("next build: up to date");
  }
  log("next build …");
  rmSync(stampFile, { force: true }); // a failed build leaves .next half-written
  await run(process.execPath, [nextBin, "build"], { cwd: appDir, env });
  writeFileSync(stampFile, stamp);
}

function* files(path) {
  if (!existsSync(path)) return;
  if (!statSync(path).isDirectory()) return yield path;
  for (const name of readdirSync(path).sort()) yield* files(join(path, name));
}

/** Hash of the paths' contents (not mtimes: the handoff build rewrites dist every time). */
function fingerprint(paths, extra) {
  const hash = createHash("sha256").update(JSON.stringify(extra));
  for (const path of paths) {
    for (const file of files(path)) hash.update(file).update(readFileSync(file));
  }
  return hash.digest("hex");
}
