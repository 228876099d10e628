import { describe, expect, it } from "vitest";
import { assertUnambiguous, pathUnderMount, targetUrl } from "./target.js";

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
};

describe("paths", () => {
  it.each([
    "/tasks",
    "/tasks/",
    "/a%2Fb",
    "/100%25",
    "/c%3Fd",
    "/%E2%9C%93",
    "/a.b/..c/d..",
    "/.well-known/x",
    "",
    "/",
  ])("accepts %s", (path) => {
    expect(codeOf(() => assertUnambiguous(path))).toBeUndefined();
  });

  it.each([
    "/a/../b",
    "/a/./b",
    "/..",
    "/a/%2e%2e/b",
    "/a/%2E./b",
    "/a%2F..%2Fb",
    "/a/%252e%252e/b",
    "/a/%25252e%25252e/b",
    "/a\\b",
    "/a%5cb",
    "/a%255Cb",
    "//x",
    "/a//b",
    "/a%00",
    "/a%0Ab",
    "/a%zz",
    "/a%",
    "/a b",
    "/a#b",
    "/a\u0001b",
  ])("refuses %j as ambiguous", (path) => {
    expect(codeOf(() => assertUnambiguous(path))).toBe("ERR_AMBIGUOUS_PATH");
  });

  it("strips the mount only at a segment boundary", () => {
    expect(pathUnderMount("/api/proxy/x", "/api/proxy")).toBe("/x");
    expect(pathUnderMount("/api/proxy", "/api/proxy")).toBe("");
    expect(codeOf(() => pathUnderMount("/api/proxyx", "/api/proxy"))).toBe("ERR_NOT_MOUNTED");
    expect(codeOf(() => pathUnderMount("/api", "/api/proxy"))).toBe("ERR_NOT_MOUNTED");
  });

  it("builds the target on the fixed origin, never resolving the path against it", () => {
    const upstream = { origin: "http://127.0.0.1:8000", basePath: "/v1" };
    expect(targetUrl(upstream, "/x", "?a=1")).toEqual({
      url: "http://127.0.0.1:8000/v1/x?a=1",
      origin: "http://127.0.0.1:8000",
      path: "/v1/x?a=1",
    });
    expect(targetUrl({ ...upstream, basePath: "" }, "", "").path).toBe("/");
    expect(targetUrl({ ...upstream, basePath: "" }, "/@evil.example/x", "").url).toBe(
      "http://127.0.0.1:8000/@evil.example/x",
    );
  });
});
