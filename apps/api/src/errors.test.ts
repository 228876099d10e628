import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as errors from "./errors.js";

/** `./<feature>/errors.ts` for every feature folder that has one. */
function featureErrorFiles(): string[] {
  return readdirSync(new URL("./", import.meta.url), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => `./${entry.name}/errors.ts`)
    .filter((file) => existsSync(new URL(file, import.meta.url)));
}

describe("the error code list in docs/api/errors.md", () => {
  const codes = (text: string, pattern: RegExp) =>
    new Set([...text.matchAll(pattern)].map((match) => match[1] as string));
  // The shared errors, and those a feature keeps next to itself (`src/<feature>/errors.ts`).
  const sources = ["./errors.ts", ...featureErrorFiles()];
  const defined = codes(
    sources.map((file) => readFileSync(new URL(file, import.meta.url), "utf8")).join("\n"),
    /"(ERR_[A-Z_]+)"/g,
  );
  const documented = codes(
    readFileSync(new URL("../../../docs/api/errors.md", import.meta.url), "utf8"),
    /`(ERR_[A-Z_]+)`/g,
  );

  it("documents every code the API defines", () => {
    expect([...defined].filter((code) => !documented.has(code))).toEqual([]);
  });

  it("names no code the API does not define", () => {
    expect([...documented].filter((code) => !defined.has(code))).toEqual([]);
  });
});

describe("API errors", () => {
  it("render as RFC 9457 problem+json with the code, never the cause", async () => {
    const error = new errors.TokenInvalidError(new Error("secret-cause-detail"));
    const response = error.toResponse({ requestId: "r1" });
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("x-request-id")).toBe("r1");
    const body = await response.json();
    expect(body).toEqual({
      type: "https://handoff.dev/taskflow/errors/ERR_TOKEN_INVALID",
      title: "Invalid bearer token",
      status: 401,
      detail: "The bearer token is not valid for this service. Sign in again to get a new one.",
      code: "ERR_TOKEN_INVALID",
      requestId: "r1",
    });
    expect(JSON.stringify(body)).not.toContain("secret-cause-detail");
    expect(errors.errorCode(error.cause)).toBeUndefined();
    expect((error.cause as Error).message).toBe("secret-cause-detail");
  });

  it.each([
    [new errors.TokenMissingError(), 401, "ERR_TOKEN_MISSING", 'Bearer realm="taskflow"'],
    [
      new errors.TokenInvalidError(),
      401,
      "ERR_TOKEN_INVALID",
      'Bearer realm="taskflow", error="invalid_token"',
    ],
    [new errors.TenantMissingError(), 403, "ERR_TENANT_MISSING", null],
    [new errors.AuthUnavailableError(5), 503, "ERR_AUTH_UNAVAILABLE", null],
  ])("%s answers its status, code and challenge", async (error, status, code, challenge) => {
    const response = error.toResponse();
    expect([error.status, error.code]).toEqual([status, code]);
    expect(response.status).toBe(status);
    expect(response.headers.get("www-authenticate")).toBe(challenge);
    expect(await response.json()).toMatchObject({ status, code });
  });

  it.each([
    [0.2, "1"],
    [1.5, "2"],
    [5, "5"],
  ])("round Retry-After up to whole seconds, at least 1: %d s → %s", (seconds, header) => {
    const response = new errors.AuthUnavailableError(seconds).toResponse();
    expect(response.headers.get("retry-after")).toBe(header);
  });

  it("are recognised by code and shape, whatever copy made them", () => {
    expect(errors.errorCode(new errors.TenantMissingError())).toBe("ERR_TENANT_MISSING");
    expect(errors.errorCode({ code: "ERR_X" })).toBe("ERR_X");
    expect(errors.errorCode("nope")).toBeUndefined();
    expect(errors.isApiError(new errors.TokenMissingError())).toBe(true);
    expect(errors.isApiError({ code: "ERR_JWT_EXPIRED" })).toBe(false);
    expect(errors.isApiError(new Error("x"))).toBe(false);
  });
});
