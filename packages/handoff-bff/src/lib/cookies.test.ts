import { describe, expect, it } from "vitest";
import { parseCookieHeader, readCookie } from "./cookies.js";

const withCookie = (cookie: string) => new Request("http://x/", { headers: { cookie } });

describe("cookies", () => {
  it.each([
    ["auth_token=abc", "abc"],
    ["a=1; auth_token=abc; b=2", "abc"],
    ["a=1;auth_token=abc", "abc"],
    ['auth_token="quoted"', "quoted"],
    ["auth_token=first; auth_token=second", "first"],
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

  it("answers null without a Cookie header", () => {
    expect(readCookie(new Request("http://x/"), "auth_token")).toBeNull();
  });
});
