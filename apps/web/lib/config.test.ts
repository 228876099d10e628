import { describe, expect, it } from "vitest";
import { DEFAULT_AUTH_LIMITS, readConfig, trustedProxyCount } from "./config";

const secret = "s".repeat(32);

describe("readConfig", () => {
  it("defaults to PGlite under .data/web and the local API audience", () => {
    const config = readConfig({ BETTER_AUTH_SECRET: secret }, "/srv/app");
    expect(config).toEqual({
      secret,
      baseURL: "http://127.0.0.1:3000",
      apiAudience: "taskflow-api",
      database: { kind: "pglite", dataDir: "/srv/app/.data/web/pglite" },
      trustedProxyCount: 0,
      authLimits: {
        perAccount: { limit: 10, windowSeconds: 900 },
        perIp: { limit: 30, windowSeconds: 60 },
      },
    });
  });

  it("reads the trusted proxy count and the sign-in limits", () => {
    const config = readConfig({
      BETTER_AUTH_SECRET: secret,
      TRUSTED_PROXY_COUNT: "2",
      AUTH_RATE_LIMIT_PER_ACCOUNT: "5",
      AUTH_RATE_LIMIT_PER_IP: "100",
    });
    expect(config.trustedProxyCount).toBe(2);
    expect(config.authLimits).toEqual({
      perAccount: { ...DEFAULT_AUTH_LIMITS.perAccount, limit: 5 },
      perIp: { ...DEFAULT_AUTH_LIMITS.perIp, limit: 100 },
    });
  });

  it("refuses a trusted proxy count or a limit that is not a whole number", () => {
    expect(() =>
      readConfig({ TRUSTED_PROXY_COUNT: "-1", AUTH_RATE_LIMIT_PER_ACCOUNT: "0" }),
    ).toThrow(/TRUSTED_PROXY_COUNT must be a whole number ≥ 0[\s\S]*AUTH_RATE_LIMIT_PER_ACCOUNT/);
    expect(() => trustedProxyCount({ TRUSTED_PROXY_COUNT: "one" })).toThrow(/TRUSTED_PROXY_COUNT/);
    expect(trustedProxyCount({})).toBe(0);
  });

  it("uses PostgreSQL when DATABASE_URL is set", () => {
    const config = readConfig({ BETTER_AUTH_SECRET: secret, DATABASE_URL: "postgres://u:p@db/x" });
    expect(config.database).toEqual({ kind: "postgres", url: "postgres://u:p@db/x" });
  });

  it("refuses to run in production without BETTER_AUTH_SECRET, saying how to make one", () => {
    expect(() => readConfig({ NODE_ENV: "production" })).toThrow(/BETTER_AUTH_SECRET is not set/);
  });

  it("refuses a short secret in production without repeating it", () => {
    let message = "";
    try {
      readConfig({ NODE_ENV: "production", BETTER_AUTH_SECRET: "short-secret-value" });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/at least 32 characters/);
    expect(message).not.toContain("short-secret-value");
  });

  it("falls back to a development secret outside production", () => {
    expect(readConfig({}).secret.length).toBeGreaterThanOrEqual(32);
  });

  it("names every faulty variable and never echoes a database URL", () => {
    let message = "";
    try {
      readConfig({
        NODE_ENV: "production",
        BETTER_AUTH_SECRET: secret,
        BETTER_AUTH_URL: "ftp://x",
        DATABASE_URL: "mysql://root:hunter2@db",
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/BETTER_AUTH_URL/);
    expect(message).toMatch(/DATABASE_URL/);
    expect(message).not.toContain("hunter2");
  });

  it("keeps only the origin of BETTER_AUTH_URL: it is the JWT issuer", () => {
    const config = readConfig({
      BETTER_AUTH_SECRET: secret,
      BETTER_AUTH_URL: "https://app.example/",
    });
    expect(config.baseURL).toBe("https://app.example");
  });

  it("reads REDIS_URL and RATE_LIMIT_FAIL, and never repeats the URL in a problem", () => {
    expect(readConfig({ BETTER_AUTH_SECRET: secret }).redis).toBeUndefined();
    expect(
      readConfig({ BETTER_AUTH_SECRET: secret, REDIS_URL: "redis://:pw@r:6379" }).redis,
    ).toEqual({ url: "redis://:pw@r:6379", rateLimitFail: "closed" });
    expect(
      readConfig({ REDIS_URL: "rediss://r", RATE_LIMIT_FAIL: "open" }).redis?.rateLimitFail,
    ).toBe("open");
    expect(() => readConfig({ REDIS_URL: "http://:hunter2@r", RATE_LIMIT_FAIL: "maybe" })).toThrow(
      /RATE_LIMIT_FAIL must be "closed" or "open"[\s\S]*REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/,
    );
    expect(() => readConfig({ REDIS_URL: "http://:hunter2@r" })).not.toThrow(/hunter2/);
  });
});
