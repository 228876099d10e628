import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// The runtime exports of every entry, spelled out: an export added or removed here is a change
// of the public API, to be made on purpose and written down in CHANGELOG.md.
const ENTRIES: Record<string, { file: string; exports: string[] }> = {
  "handoff-bff": {
    file: "../src/index.js",
    exports: [
      "HandoffError",
      "authjsToken",
      "betterAuthToken",
      "cookieToken",
      "createProxy",
      "errors",
      "fetchTransport",
      "isHandoffError",
      "memoryRevocation",
      "memoryStore",
    ],
  },
  "handoff-bff/client": {
    file: "../src/client/index.js",
    exports: ["ProblemError", "createFetch", "errorCode", "readEvents", "readJson", "streamEvents"],
  },
  "handoff-bff/chatkit": {
    file: "../src/chatkit/index.js",
    exports: ["createChatKitSessions", "memorySessionStore"],
  },
  "handoff-bff/chatkit/client": {
    file: "../src/chatkit/client/index.js",
    exports: ["createChatKitFetch", "createClientSecretGetter"],
  },
  "handoff-bff/next": {
    file: "../src/next/index.js",
    exports: ["toNextHandlers", "toNextOidcHandlers"],
  },
  "handoff-bff/oidc": { file: "../src/oidc/index.js", exports: ["createOidc"] },
  "handoff-bff/redis": {
    file: "../src/redis/index.js",
    exports: [
      "redisChatKitSessionStore",
      "redisRateLimitStore",
      "redisRefreshLock",
      "redisRevocation",
      "redisSessionStore",
    ],
  },
  "handoff-bff/node": {
    file: "../src/node/index.js",
    exports: ["createFrontDoor", "nodeTransport", "serveWithNext", "toNodeListener"],
  },
};

const packageJson = JSON.parse(
  readFileSync(new URL("../package.json", import.meta.url), "utf8"),
) as { exports: Record<string, unknown> };

describe("the public API", () => {
  it.each(Object.entries(ENTRIES))("of %s is exactly its listed exports", async (_, entry) => {
    const module: Record<string, unknown> = await import(entry.file);
    expect(Object.keys(module).sort()).toEqual([...entry.exports].sort());
  });

  it("has one package.json export per entry, and no other", () => {
    const subpaths = Object.keys(packageJson.exports).filter((path) => path !== "./package.json");
    const expected = Object.keys(ENTRIES).map((name) => name.replace(/^handoff-bff/, "."));
    expect(subpaths.sort()).toEqual(expected.sort());
  });

  it("is the same in the Node.js build of the root entry", async () => {
    const node: Record<string, unknown> = await import("../src/index.node.js");
    expect(Object.keys(node).sort()).toEqual(ENTRIES["handoff-bff"]?.exports.sort());
  });

  it("keeps every error class under `errors`, none at the root but the base", async () => {
    const root = await import("../src/index.js");
    const classes = Object.entries(root.errors)
      .filter(([, value]) => typeof value === "function" && /^[A-Z]/.test(value.name))
      .map(([name]) => name);
    expect(classes.length).toBeGreaterThan(20);
    expect(classes.filter((name) => name in root)).toEqual(["HandoffError"]);
    expect(root.errors.HandoffError).toBe(root.HandoffError);
    expect(root.errors.isHandoffError).toBe(root.isHandoffError);
  });
});
