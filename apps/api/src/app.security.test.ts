import { describe, expect, it } from "vitest";
import { createBuiltinBrain } from "./agent/index.js";
import { createApp } from "./app.js";
import { createVerifier } from "./auth/index.js";
import { createLogger } from "./log.js";
import { startServer } from "./server.js";
import { openTestDatabase } from "./testing/db.js";
import { authConfig, createSigningKey, sign, startJwksServer } from "./testing/issuer.js";
import { captureLogs } from "./testing/logs.js";

describe("the request log", () => {
  it("never contains the bearer token, whether it is accepted or refused", async () => {
    const key = await createSigningKey("k1");
    const jwks = await startJwksServer([key]);
    const logs = captureLogs();
    const db = await openTestDatabase("pglite");
    const app = createApp({
      verify: createVerifier(authConfig(jwks.url)),
      logger: createLogger({ level: "trace", destination: logs.destination }),
      store: db.store,
      brain: createBuiltinBrain(),
    });
    const server = await startServer({ app, port: 0 });
    try {
      const valid = await sign(key);
      const expired = await sign(key, { exp: Math.floor(Date.now() / 1000) - 3600 });
      for (const token of [valid, expired, `${valid}x`]) {
        await fetch(new URL("/api/me", server.url), {
          headers: { authorization: `Bearer ${token}` },
        });
      }
      const output = logs.lines.join("\n");
      expect(logs.records().filter((r) => r.msg === "request")).toHaveLength(3);
      expect(logs.records().filter((r) => r.msg === "auth refused")).toHaveLength(2);
      for (const token of [valid, expired]) {
        expect(output).not.toContain(token);
        // Nor any of its parts: the signature alone is enough to replay a leaked header+payload.
        for (const part of token.split(".")) expect(output).not.toContain(part);
      }
    } finally {
      await server.shutdown();
      await db.close();
      await jwks.close();
    }
  });
});
