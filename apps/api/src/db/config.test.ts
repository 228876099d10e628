import { describe, expect, it } from "vitest";
import { readDatabaseConfig } from "./config.js";

const cwd = "/srv/taskflow";

/** The `ERR_INVALID_CONFIG` message readDatabaseConfig throws for `env`. */
function problem(env: Record<string, string | undefined>): string {
  try {
    readDatabaseConfig(env, cwd);
  } catch (error) {
    expect((error as { code?: string }).code).toBe("ERR_INVALID_CONFIG");
    return (error as Error).message;
  }
  throw new Error("expected readDatabaseConfig to throw");
}

describe("readDatabaseConfig", () => {
  it("uses PGlite under .data/api in the working directory by default", () => {
    expect(readDatabaseConfig({}, cwd)).toEqual({
      kind: "pglite",
      dataDir: "/srv/taskflow/.data/api/pglite",
    });
    expect(readDatabaseConfig({ DATA_DIR: "  ", DATABASE_URL: "" }, cwd)).toEqual(
      readDatabaseConfig({}, cwd),
    );
  });

  it("keeps PGlite's files in DATA_DIR, resolving a relative one against the working directory", () => {
    expect(readDatabaseConfig({ DATA_DIR: "/var/lib/taskflow" }, cwd)).toEqual({
      kind: "pglite",
      dataDir: "/var/lib/taskflow/pglite",
    });
    expect(readDatabaseConfig({ DATA_DIR: "../state" }, cwd)).toEqual({
      kind: "pglite",
      dataDir: "/srv/state/pglite",
    });
  });

  it("resolves against process.cwd() when no directory is given", () => {
    expect(readDatabaseConfig({ DATA_DIR: "d" })).toEqual({
      kind: "pglite",
      dataDir: `${process.cwd()}/d/pglite`,
    });
  });

  it.each([
    "postgres://taskflow:secret@db.internal:5432/taskflow",
    "postgresql://db.internal/taskflow?sslmode=require",
    "POSTGRES://localhost/taskflow",
  ])("uses the PostgreSQL server at DATABASE_URL=%s, whatever DATA_DIR says", (url) => {
    expect(readDatabaseConfig({ DATABASE_URL: ` ${url} `, DATA_DIR: "/ignored" }, cwd)).toEqual({
      kind: "postgres",
      url,
    });
  });

  it.each([
    "mysql://admin:hunter2@db/taskflow",
    "admin:hunter2@db:5432/taskflow",
    "hunter2",
    "postgres://admin:hunter2@[db/taskflow",
    "http://admin:hunter2@db/taskflow",
  ])("refuses DATABASE_URL=%s, naming the variable but never echoing its value", (url) => {
    const message = problem({ DATABASE_URL: url });
    expect(message).toContain("DATABASE_URL");
    expect(message).toContain("postgres://");
    expect(message).not.toContain("hunter2");
    expect(message).not.toContain("admin");
  });
});
