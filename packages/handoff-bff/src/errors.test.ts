import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as errors from "./errors.js";

const source = readFileSync(new URL("./errors.ts", import.meta.url), "utf8");
const doc = readFileSync(new URL("../../../docs/errors.md", import.meta.url), "utf8");

const codesIn = (text: string, pattern: RegExp) =>
  new Set([...text.matchAll(pattern)].map((match) => match[1] as string));

describe("error codes", () => {
  const defined = codesIn(source, /"(ERR_[A-Z_]+)"/g);
  const documented = codesIn(doc, /`(ERR_[A-Z_]+)`/g);

  it("are all documented in docs/errors.md", () => {
    expect([...defined].filter((code) => !documented.has(code))).toEqual([]);
  });

  it("are all real: docs/errors.md names no code that does not exist", () => {
    expect([...documented].filter((code) => !defined.has(code))).toEqual([]);
  });

  it("render as problem+json with the code, never the cause", async () => {
    const error = new errors.UpstreamFailedError(new Error("secret-cause-detail"));
    const response = error.toResponse({ requestId: "r1" });
    expect(response.status).toBe(502);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const body = await response.json();
    expect(body).toEqual({
      type: "https://handoff.dev/errors/ERR_UPSTREAM_FAILED",
      title: "Bad gateway",
      status: 502,
      detail: "The upstream service failed to answer.",
      code: "ERR_UPSTREAM_FAILED",
      requestId: "r1",
    });
    expect(JSON.stringify(body)).not.toContain("secret-cause-detail");
  });

  it("render extension members, which cannot replace a standard member", async () => {
    const error = new errors.HandoffError("ERR_X", 502, "X", "x", {
      members: { upstreamStatus: 401, code: "ERR_FORGED", status: 200 },
    });
    expect(await error.toResponse().json()).toMatchObject({
      upstreamStatus: 401,
      code: "ERR_X",
      status: 502,
    });
  });

  it("carry extra headers such as Allow", () => {
    const response = new errors.MethodNotAllowedError("TRACE", ["GET", "POST"]).toResponse();
    expect(response.headers.get("allow")).toBe("GET, POST");
  });

  it("are recognised by code whatever copy made them", () => {
    expect(errors.errorCode(new errors.UnauthenticatedError())).toBe("ERR_UNAUTHENTICATED");
    expect(errors.errorCode({ code: "ERR_X" })).toBe("ERR_X");
    expect(errors.errorCode("nope")).toBeUndefined();
  });
});
