import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    // Each file starts its own system (web + API + Chromium); one at a time on 2 cores.
    fileParallelism: false,
    // A PostgreSQL for the PostgreSQL run: TEST_DATABASE_URL, or a throwaway cluster (the
    // API's test setup, shared).
    globalSetup: ["../apps/api/src/testing/postgres.global.ts"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
