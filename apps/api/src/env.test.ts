import { describe, expect, it } from "vitest";
import { readServerConfig } from "./env.js";
import { errorCode } from "./errors.js";
import { rejection } from "./testing/issuer.js";

describe("readServerConfig", () => {
  it("defaults to port 8000 on loopback with a 10 s drain and no shutdown delay", () => {
    expect(readServerConfig({})).toEqual({
      port: 8000,
      host: "127.0.0.1",
      drainTimeoutMs: 10_000,
      shutdownDelayMs: 0,
    });
  });

  it("reads PORT, HOST, SHUTDOWN_DRAIN_MS and SHUTDOWN_DELAY_MS", () => {
    const env = { PORT: "0", HOST: "0.0.0.0", SHUTDOWN_DRAIN_MS: "500", SHUTDOWN_DELAY_MS: "3000" };
    expect(readServerConfig(env)).toEqual({
      port: 0,
      host: "0.0.0.0",
      drainTimeoutMs: 500,
      shutdownDelayMs: 3_000,
    });
  });

  it("refuses a port that is not a whole number in range, naming every problem", async () => {
    const error = await rejection(
      (async () =>
        readServerConfig({ PORT: "80a", SHUTDOWN_DRAIN_MS: "-1", SHUTDOWN_DELAY_MS: "1s" }))(),
    );
    expect(errorCode(error)).toBe("ERR_INVALID_CONFIG");
    expect(error.message).toMatch(/PORT.*SHUTDOWN_DRAIN_MS.*SHUTDOWN_DELAY_MS/);
    expect(() => readServerConfig({ PORT: "70000" })).toThrow(/PORT/);
  });
});
