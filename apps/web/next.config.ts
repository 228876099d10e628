import type { NextConfig } from "next";

const config: NextConfig = {
  // Trailing slashes are part of the path Handoff forwards; Next would redirect them away.
  skipTrailingSlashRedirect: true,
  // PGlite loads its WebAssembly and data files from next to its own module: bundled, it
  // would look for them in .next/ and fail. It is required from node_modules at run time.
  // node-redis is left to Node as well: it is server-only, and its optional modules (bloom,
  // search, …) would be bundled for nothing.
  serverExternalPackages: ["@electric-sql/pglite", "redis", "@redis/client"],
  // Built inside the monorepo: the root holds the lockfile and the hoisted node_modules.
  turbopack: { root: new URL("../..", import.meta.url).pathname },
  // No X-Powered-By: it tells an attacker which framework to look up advisories for.
  poweredByHeader: false,
};

export default config;
