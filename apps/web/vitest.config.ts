import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL(".", import.meta.url)) } },
  test: {
    include: ["lib/**/*.test.ts"],
    // The auth tests start PGlite (WebAssembly) in memory: a second or two each.
    testTimeout: 30_000,
    // A throwaway redis-server (or TEST_REDIS_URL) for the cluster tests (lib/cluster*.test.ts).
    globalSetup: ["@handoff/db-kit/testing/redis-global"],
    hookTimeout: 60_000,
  },
});
