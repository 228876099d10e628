import { describe, expect, it } from "vitest";
import { createLogger } from "./log.js";
import { captureLogs } from "./testing/logs.js";

describe("the logger", () => {
  it("redacts the Authorization header and cookies wherever a request is logged", () => {
    const { lines, destination } = captureLogs();
    const logger = createLogger({ destination });
    logger.info({
      req: { headers: { authorization: "Bearer secret-token", cookie: "sid=secret-cookie" } },
      upstream: { authorization: "Bearer secret-upstream" },
    });
    const output = lines.join("\n");
    expect(output).not.toContain("secret-");
    expect(JSON.parse(lines[0] ?? "{}").req.headers.authorization).toBe("[Redacted]");
  });

  it("honours the level", () => {
    const { lines, destination } = captureLogs();
    const logger = createLogger({ level: "warn", destination });
    logger.info("quiet");
    logger.warn("loud");
    expect(lines.map((line) => JSON.parse(line).msg)).toEqual(["loud"]);
  });
});
