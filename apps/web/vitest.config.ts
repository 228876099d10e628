import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL(".", import.meta.url)) } },
  test: {
    include: ["lib/**/*.test.ts"],
    // The auth tests start PGlite (WebAssembly) in memory: a second or two each.
    testTimeout: 30_000,
  },
});
