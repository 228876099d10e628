import { readFileSync } from "node:fs";
import { describe, expect, expectTypeOf, it, vi } from "vitest";
import * as errors from "./errors.js";
import { createProxy } from "./index.js";

const source = readFileSync(new URL("./errors.ts", import.meta.url), "utf8");
const doc = readFileSync(new URL("../../../docs/errors.md", import.meta.url), "utf8");

const codesIn = (text: string, pattern: RegExp) =>
  new Set([...text.matchAll(pattern)].map((match) => match[1] as string));
const missingFrom = (from: Set<string>, codes: Set<string>) =>
  [...codes].filter((code) => !from.has(code));

/** The members of `export type HandoffErrorCode = | "ERR_…" | …;` as written in errors.ts. */
function unionMembers(): Set<string> {
  const declaration = /export type HandoffErrorCode =([^;]*);/.exec(source)?.[1];
  if (declaration === undefined) throw new Error("errors.ts declares no HandoffErrorCode");
  return codesIn(declaration, /"(ERR_[A-Z_]+)"/g);
}

describe("error codes", () => {
  const union = unionMembers();
  const documented = codesIn(doc, /`(ERR_[A-Z_]+)`/g);
  const thrown = codesIn(source, /super\(\s*"(ERR_[A-Z_]+)"/g);
  const declared = codesIn(source, /declare readonly code: "(ERR_[A-Z_]+)"/g);

  it("are all documented in docs/errors.md: every member of HandoffErrorCode", () => {
    expect(union.size).toBeGreaterThan(20);
    expect(missingFrom(documented, union)).toEqual([]);
  });

  it("are all real: docs/errors.md names no code that HandoffErrorCode lacks", () => {
    expect(missingFrom(union, documented)).toEqual([]);
  });

  it("each have one class, whose code is a member of the union", () => {
    expect(missingFrom(union, thrown)).toEqual([]);
    expect(missingFrom(thrown, union)).toEqual([]);
    expect(declared).toEqual(thrown);
  });

  it("type `code` as HandoffErrorCode, and each subclass's as its own literal", () => {
    expectTypeOf<errors.HandoffError["code"]>().toEqualTypeOf<errors.HandoffErrorCode>();
    expectTypeOf(new errors.UnauthenticatedError().code).toEqualTypeOf<"ERR_UNAUTHENTICATED">();
    expectTypeOf(
      new errors.RateLimitedError("ip", 1, 60, 1).code,
    ).toEqualTypeOf<"ERR_RATE_LIMITED">();
    const caught: unknown = new errors.InternalError(null);
    if (errors.isHandoffError(caught)) {
      expectTypeOf(caught.code).toEqualTypeOf<errors.HandoffErrorCode>();
    }
    if (caught instanceof errors.HandoffError) {
      expectTypeOf(caught.code).toEqualTypeOf<errors.HandoffErrorCode>();
    }
    if (caught instanceof errors.NotMountedError) {
      expectTypeOf(caught.code).toEqualTypeOf<"ERR_NOT_MOUNTED">();
    }
    // @ts-expect-error: a code that is not in the union does not compile.
    new errors.HandoffError("ERR_NOT_A_CODE", 500, "x", "x");
    expectTypeOf(errors.errorCode).returns.toEqualTypeOf<string | undefined>();
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
    const error = new errors.HandoffError("ERR_CHATKIT_UPSTREAM", 502, "X", "x", {
      members: { upstreamStatus: 401, code: "ERR_FORGED", status: 200 },
    });
    expect(await error.toResponse().json()).toMatchObject({
      upstreamStatus: 401,
      code: "ERR_CHATKIT_UPSTREAM",
      status: 502,
    });
  });

  it("carry extra headers such as Allow", () => {
    const response = new errors.MethodNotAllowedError("TRACE", ["GET", "POST"]).toResponse();
    expect(response.headers.get("allow")).toBe("GET, POST");
  });

  it("are recognised by code whatever made them", () => {
    expect(errors.errorCode(new errors.UnauthenticatedError())).toBe("ERR_UNAUTHENTICATED");
    expect(errors.errorCode({ code: "ERR_X" })).toBe("ERR_X");
    expect(errors.errorCode("nope")).toBeUndefined();
  });
});

describe("errors made by another copy of the package", () => {
  /** A second, separate instance of errors.ts: what a second installed copy would load. */
  async function secondCopy(): Promise<typeof errors> {
    vi.resetModules();
    const copy = await import("./errors.js");
    expect(copy.HandoffError).not.toBe(errors.HandoffError);
    return copy;
  }

  it("are Handoff errors by brand: isHandoffError and instanceof HandoffError hold", async () => {
    const copy = await secondCopy();
    const foreign = new copy.AmbiguousSessionCookieError();
    expect(errors.isHandoffError(foreign)).toBe(true);
    expect(foreign instanceof errors.HandoffError).toBe(true);
    expect(new errors.UnauthenticatedError() instanceof copy.HandoffError).toBe(true);
  });

  it("keep the ordinary check for subclasses: match on code for those", async () => {
    const copy = await secondCopy();
    expect(new copy.UnauthenticatedError() instanceof errors.UnauthenticatedError).toBe(false);
    expect(new errors.UnauthenticatedError() instanceof errors.UnauthenticatedError).toBe(true);
    expect(new errors.InternalError(null) instanceof errors.UnauthenticatedError).toBe(false);
    expect(new copy.UnauthenticatedError().code).toBe("ERR_UNAUTHENTICATED");
  });

  it("are told apart from look-alikes: the brand, not the shape, decides", () => {
    const lookAlike = { code: "ERR_UNAUTHENTICATED", status: 401, title: "t", message: "m" };
    expect(errors.isHandoffError(lookAlike)).toBe(false);
    expect(lookAlike instanceof errors.HandoffError).toBe(false);
    expect(errors.isHandoffError(new Error("x"))).toBe(false);
    expect(errors.isHandoffError(null)).toBe(false);
    expect(errors.isHandoffError("ERR_INTERNAL")).toBe(false);
  });

  it("are answered as they are when a token source throws one (401)", async () => {
    const copy = await secondCopy();
    const proxy = createProxy({
      upstream: "http://127.0.0.1:9",
      token: () => {
        throw new copy.AmbiguousSessionCookieError();
      },
    });
    const response = await proxy.handle(new Request("http://app.test/tasks"));
    expect(response.status).toBe(401);
    expect((await response.json()).code).toBe("ERR_AMBIGUOUS_SESSION_COOKIE");
  });

  it("but a look-alike a token source throws is the source's fault (500)", async () => {
    const proxy = createProxy({
      upstream: "http://127.0.0.1:9",
      token: () => {
        throw { code: "ERR_UNAUTHENTICATED", status: 401, title: "t", message: "m" };
      },
    });
    const response = await proxy.handle(new Request("http://app.test/tasks"));
    expect(response.status).toBe(500);
    expect((await response.json()).code).toBe("ERR_TOKEN_SOURCE");
  });
});
