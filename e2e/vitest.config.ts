import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    // Each file starts its own system (web + API + Chromium); one at a time on 2 cores.
    fileParallelism: false,
    // A PostgreSQL for the PostgreSQL run: TEST_DATABASE_URL, or a throwaway cluster (the
    // database kit's test setup, shared with the API's and the kit's own tests).
    globalSetup: ["@handoff/db-kit/testing/postgres-global"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
