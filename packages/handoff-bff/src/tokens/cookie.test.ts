import { describe, expect, it } from "vitest";
import { errorCode } from "../errors.js";
import { cookieToken } from "./cookie.js";

const withCookie = (cookie: string) =>
  new Request("https://app.example/api/proxy/me", { headers: { cookie } });

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return errorCode(error);
  }
  return undefined;
};

describe("cookieToken", () => {
  it("returns the cookie's value as the token", () => {
    expect(cookieToken("auth_token")(withCookie("theme=dark; auth_token=abc"))).toBe("abc");
  });

  it("returns null without the cookie or with an empty one", () => {
    expect(cookieToken("auth_token")(withCookie("theme=dark"))).toBeNull();
    expect(cookieToken("auth_token")(withCookie("auth_token="))).toBeNull();
    expect(cookieToken("auth_token")(new Request("https://app.example/"))).toBeNull();
  });

  it.each([
    ["a tossed cookie sent first", "auth_token=attacker; auth_token=victim"],
    ["a tossed cookie sent last", "auth_token=victim; theme=dark; auth_token=attacker"],
    ["an empty copy", "auth_token=; auth_token=victim"],
    ["two equal copies", "auth_token=victim; auth_token=victim"],
  ])("refuses %s with 401 ERR_AMBIGUOUS_SESSION_COOKIE", (_name, header) => {
    expect(codeOf(() => cookieToken("auth_token")(withCookie(header)))).toBe(
      "ERR_AMBIGUOUS_SESSION_COOKIE",
    );
  });

  it("refuses an invalid cookie name at creation", () => {
    expect(codeOf(() => cookieToken("auth token"))).toBe("ERR_INVALID_CONFIG");
  });

  it("names the session by the SHA-256 of its cookie: sessionKey", async () => {
    const source = cookieToken("auth_token");
    const key = await source.sessionKey?.(withCookie("auth_token=abc; theme=dark"));
    expect(key).toBe("ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"); // SHA-256("abc")
    expect(source.sessionKey?.(withCookie("theme=dark"))).toBeNull();
  });
});
