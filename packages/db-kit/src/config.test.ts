import { describe, expect, it } from "vitest";
import { readDatabaseConfig } from "./config.js";

const options = { defaultDataDir: ".data/app", cwd: "/srv/app" };

describe("readDatabaseConfig", () => {
  it("uses PGlite under the app's default DATA_DIR, resolved against cwd", () => {
    expect(readDatabaseConfig({}, options)).toEqual({
      kind: "pglite",
      dataDir: "/srv/app/.data/app/pglite",
    });
    expect(readDatabaseConfig({ DATA_DIR: "../state" }, options)).toEqual({
      kind: "pglite",
      dataDir: "/srv/state/pglite",
    });
  });

  it("uses the PostgreSQL server at DATABASE_URL, whatever DATA_DIR says", () => {
    expect(
      readDatabaseConfig({ DATABASE_URL: " postgres://db/x ", DATA_DIR: "/d" }, options),
    ).toEqual({ kind: "postgres", url: "postgres://db/x" });
  });

  it("refuses a DATABASE_URL that is not PostgreSQL's with ERR_INVALID_CONFIG, never echoing it", () => {
    const error = (() => {
      try {
        readDatabaseConfig({ DATABASE_URL: "mysql://admin:hunter2@db/x" }, options);
      } catch (caught) {
        return caught as Error & { code?: string };
      }
      throw new Error("expected readDatabaseConfig to throw");
    })();
    expect(error.code).toBe("ERR_INVALID_CONFIG");
    expect(error.message).toContain("DATABASE_URL");
    expect(error.message).not.toContain("hunter2");
    expect(error.message).not.toContain("admin");
  });
});
