import type { NextConfig } from "next";

// Read at build time: rewrites() is compiled into the routes manifest, so the runner rebuilds
// when the upstream URL changes.
const upstream = process.env.BENCH_UPSTREAM ?? "http://127.0.0.1:8100";

const config: NextConfig = {
  skipTrailingSlashRedirect: true,
  poweredByHeader: false,
  async rewrites() {
    return [{ source: "/rw/:path*", destination: `${upstream}/:path*` }];
  },
};

export default config;
