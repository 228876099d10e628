import { defineConfig } from "vitest/config";

const src = new URL("./src/", import.meta.url).pathname;

export default defineConfig({
  // The examples import the package by its name, as an app would: served from the sources.
  resolve: {
    alias: [
      { find: /^handoff-chatkit$/, replacement: `${src}index.ts` },
      { find: /^handoff-chatkit\/(drizzle|testing)$/, replacement: `${src}$1/index.ts` },
    ],
  },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
