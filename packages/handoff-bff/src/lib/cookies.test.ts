import { describe, expect, it } from "vitest";
import { parseCookieHeader, readCookie } from "./cookies.js";

const withCookie = (cookie: string) => new Request("http://x/", { headers: { cookie } });

describe("cookies", () => {
  it.each([
    ["auth_token=abc", "abc"],
    ["a=1; auth_token=abc; b=2", "abc"],
    ["a=1;auth_token=abc", "abc"],
    ['auth_token="quoted"', "quoted"],
    ["xauth_token=no; auth_token=yes", "yes"],
    ["auth_token=a=b=c", "a=b=c"],
    ["auth_token=", ""],
    ["other=1", null],
    ["auth_token", null],
    ["", null],
  ])("reads the cookie from %j as parseCookieHeader does", (header, expected) => {
    expect(readCookie(withCookie(header), "auth_token")).toBe(expected);
    expect(parseCookieHeader(header).get("auth_token") ?? null).toBe(expected);
  });

  it.each([
    "auth_token=first; auth_token=second",
    "auth_token=first;auth_token=",
    "a=1; auth_token=x; b=2; auth_token=x",
    " auth_token=x ;  auth_token =y",
  ])("refuses a session cookie that %j repeats, with ERR_AMBIGUOUS_SESSION_COOKIE", (header) => {
    expect(() => readCookie(withCookie(header), "auth_token")).toThrow(
      expect.objectContaining({ code: "ERR_AMBIGUOUS_SESSION_COOKIE", status: 401 }),
    );
    const repeated = new Set<string>();
    parseCookieHeader(header, repeated);
    expect([...repeated]).toEqual(["auth_token"]);
  });

  it("reads a repeated cookie of another name without complaint", () => {
    expect(readCookie(withCookie("theme=a; auth_token=x; theme=b"), "auth_token")).toBe("x");
  });

  it("answers null without a Cookie header", () => {
    expect(readCookie(new Request("http://x/"), "auth_token")).toBeNull();
  });
});
