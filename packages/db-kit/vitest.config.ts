import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    // PGlite (WebAssembly) starts in a second or two; a data directory walk takes longer.
    testTimeout: 30_000,
    // A PostgreSQL for the PostgreSQL tests: TEST_DATABASE_URL, or a throwaway cluster.
    globalSetup: ["src/testing/postgres-global.ts"],
  },
});
