import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    testTimeout: 10_000,
    // A PostgreSQL for the storage tests: TEST_DATABASE_URL, or a throwaway cluster.
    globalSetup: ["src/testing/postgres.global.ts"],
  },
});
