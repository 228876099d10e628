import { describe, expect, it } from "vitest";
import { readConfig } from "./config";

const secret = "s".repeat(32);

describe("readConfig", () => {
  it("defaults to PGlite under .data/web and the local API audience", () => {
    const config = readConfig({ BETTER_AUTH_SECRET: secret }, "/srv/app");
    expect(config).toEqual({
      secret,
      baseURL: "http://127.0.0.1:3000",
      apiAudience: "taskflow-api",
      database: { kind: "pglite", dataDir: "/srv/app/.data/web/pglite" },
    });
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
});
