import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // A throwaway redis-server (or TEST_REDIS_URL) for the handoff-bff/redis tests.
    globalSetup: ["@handoff/db-kit/testing/redis-global"],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
