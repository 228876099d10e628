import type { NextConfig } from "next";

const config: NextConfig = {
  // Trailing slashes are part of the path the proxy forwards; Next would redirect them away.
  skipTrailingSlashRedirect: true,
  // The fixture is built inside the monorepo; it must not guess another root.
  turbopack: { root: new URL("../..", import.meta.url).pathname },
};

export default config;
