import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as errors from "./errors.js";

describe("the error codes", () => {
  it("are the README's table, both ways", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const documented = [...readme.matchAll(/^\| \d{3} +\| `(ERR_[A-Z_]+)`/gm)].map((m) => m[1]);
    const classes = Object.values(errors).filter(
      (value) => typeof value === "function" && value.prototype instanceof errors.ChatKitError,
    ) as unknown as (new (
      argument: never,
    ) => errors.ChatKitError)[];
    const thrown = classes.map((Class) => new Class([] as never));
    expect(new Set(thrown.map((error) => error.code))).toEqual(new Set(documented));
    for (const error of thrown) {
      expect(readme).toContain(`| ${error.status}    | \`${error.code}\``);
      expect(errors.isChatKitError(error)).toBe(true);
    }
  });

  it("render as problem+json that no cache may keep", async () => {
    const response = new errors.ValidationError([
      { field: "params", message: "Required." },
    ]).toResponse();
    expect(response.status).toBe(422);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({
      type: "about:blank",
      title: "Invalid request",
      status: 422,
      detail: "Invalid `params`: Required.",
      code: "ERR_VALIDATION",
      errors: [{ field: "params", message: "Required." }],
    });
  });
});
