import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    testTimeout: 10_000,
    // Suites start whole apps on PGlite or PostgreSQL in their hooks (migrations, listeners):
    // seconds on a quiet machine, more on a loaded one.
    hookTimeout: 60_000,
    // A PostgreSQL for the storage tests: TEST_DATABASE_URL, or a throwaway cluster (the
    // database kit's test setup, shared).
    globalSetup: ["@handoff/db-kit/testing/postgres-global"],
  },
});
