import { describe, expect, it } from "vitest";
import { generatedPaths, isUnder, lenientReadings } from "../../test/lenient-reader.js";
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
    "/a;b/c",
    "/;jsessionid=1/x",
    "/...;x/..a;b",
    "/%25zz",
    "/caf%25E9",
    "/caf%25C3%25A9",
    "/a%2525b",
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
    "/..;/x",
    "/a/..;/..;/api/tasks",
    "/a/..;x/b",
    "/a/.;/b",
    "/a/.;x=1/b",
    "/a/%2e%2e;/b",
    "/a/%2E%2e;jsessionid=1/b",
    "/a/..%3b/b",
    "/a/..%253Bx/b",
    "/a/%252e%252e;/b",
    "/a/..%3Fx",
    "/a/..%23x",
    "/%252e%252e/%252e%252e/x/%25zz",
    "/%25zz/%252e%252e/x",
    "/%252e%252e%25zz/%252e%252e/x",
    "/a/%25c0%25ae%25c0%25ae/b",
    "/a/%252e%25zz%252e/..%252Fb",
    "/a/%25252525252525252e",
    "/a%25255C..",
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

  it("reads the reviewer's paths as escaping, so that the generated test below can fail", () => {
    const escapes = (path: string) =>
      lenientReadings(path).some((read) => !isUnder(read, "/v1/agent"));
    expect(lenientReadings("/v1/agent/..;/..;/api/tasks")).toContain("/api/tasks");
    expect(escapes("/v1/agent/%252e%252e/%252e%252e/x/%25zz")).toBe(true);
    expect(escapes("/v1/agent/%c0%ae%c0%ae/x")).toBe(true);
    expect(escapes("/v1/agent/a;b/c%2Fd/%25zz")).toBe(false);
  });

  it("forwards no generated path that a lenient upstream reads outside the base path", () => {
    const upstream = { origin: "http://127.0.0.1:8000", basePath: "/v1/agent" };
    const paths = generatedPaths(20_000, 4242);
    let forwarded = 0;
    let escaping = 0;
    for (const path of paths) {
      const readsOutside = lenientReadings(upstream.basePath + path).some(
        (read) => !isUnder(read, upstream.basePath),
      );
      if (readsOutside) escaping++;
      let target: string;
      try {
        assertUnambiguous(path);
        target = targetUrl(upstream, path, "").path;
      } catch (error) {
        expect((error as { code?: string }).code).toBe("ERR_AMBIGUOUS_PATH");
        continue;
      }
      forwarded++;
      for (const read of lenientReadings(target))
        expect([path, read]).toEqual([path, expect.stringMatching(/^\/v1\/agent(?:\/|$)/)]);
    }
    // The generator makes both kinds, so the assertion above is not vacuous.
    expect(escaping).toBeGreaterThan(2_000);
    expect(forwarded).toBeGreaterThan(1_000);
  });
});
