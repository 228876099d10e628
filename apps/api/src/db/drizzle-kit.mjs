#!/usr/bin/env node
/**
 * Runs drizzle-kit (`npm run db:generate`, or `node src/db/drizzle-kit.mjs <command>`) so that
 * it finds this workspace's drizzle-orm. npm installs drizzle-orm under apps/api/node_modules
 * while drizzle-kit is hoisted to the root, and drizzle-kit loads drizzle-orm by bare name from
 * its own folder: run plainly, it stops with "Please install latest version of drizzle-orm".
 * Its `require()` calls honour NODE_PATH; its `import()` calls need a resolve hook.
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { delimiter, dirname, join } from "node:path";

const require = createRequire(import.meta.url);
const kit = join(dirname(require.resolve("drizzle-kit")), "bin.cjs");
const ormModules = dirname(dirname(require.resolve("drizzle-orm")));

// Resolves every `drizzle-orm…` import as if it were made from this file.
const hook = `export async function resolve(specifier, context, next) {
  if (specifier === "drizzle-orm" || specifier.startsWith("drizzle-orm/")) {
    return next(specifier, { ...context, parentURL: ${JSON.stringify(import.meta.url)} });
  }
  return next(specifier, context);
}`;
const register = `import { register } from "node:module";
register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;

const run = spawnSync(
  process.execPath,
  [
    "--import",
    `data:text/javascript,${encodeURIComponent(register)}`,
    kit,
    ...process.argv.slice(2),
  ],
  {
    stdio: "inherit",
    env: {
      ...process.env,
      NODE_PATH: [ormModules, process.env.NODE_PATH].filter(Boolean).join(delimiter),
    },
  },
);
process.exitCode = run.status ?? 1;
