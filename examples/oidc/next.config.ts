import type { NextConfig } from "next";

const config: NextConfig = {
  // Trailing slashes are part of the path the proxy forwards; Next would redirect them away.
  skipTrailingSlashRedirect: true,
  // node-redis is server-only and loaded only with REDIS_URL: left to Node, not bundled.
  serverExternalPackages: ["redis", "@redis/client"],
  // Built inside the monorepo: the root holds the lockfile and the hoisted node_modules.
  turbopack: { root: new URL("../..", import.meta.url).pathname },
  // No X-Powered-By: it tells an attacker which framework to look up advisories for.
  poweredByHeader: false,
};

export default config;
