import { describe, expect, it } from "vitest";
import { errorCode } from "../errors.js";
import { bearerToken } from "./header.js";

const codeOf = (header: string | null) => {
  try {
    bearerToken(header);
  } catch (error) {
    return errorCode(error);
  }
  return "accepted";
};

describe("bearerToken", () => {
  it("returns the token of a Bearer credential", () => {
    expect(bearerToken("Bearer a.b.c")).toBe("a.b.c");
  });

  it("allows every b64token character, padding included (RFC 6750 §2.1)", () => {
    expect(bearerToken("Bearer Az09-._~+/==")).toBe("Az09-._~+/==");
  });

  it("ignores whitespace around the field value (RFC 9110 §5.5)", () => {
    expect(bearerToken(" \tBearer a.b.c \t")).toBe("a.b.c");
  });

  it.each([
    ["Bearer a.b.c", "accepted"],
    ["bEaReR a.b.c", "accepted"],
    ["Bearer    a.b.c", "accepted"],
    ["Bearer\ta.b.c", "ERR_TOKEN_INVALID"],
    ["Bearer a.b.c x", "ERR_TOKEN_INVALID"],
    ["Bearer =abc", "ERR_TOKEN_INVALID"],
    ["Bearer a=b", "ERR_TOKEN_INVALID"],
    ["Bearer", "ERR_TOKEN_INVALID"],
    ["Basic a.b.c", "ERR_TOKEN_MISSING"],
    ["Bearerish a.b.c", "ERR_TOKEN_MISSING"],
    ["", "ERR_TOKEN_MISSING"],
    [null, "ERR_TOKEN_MISSING"],
  ])("classifies %j as %s", (header, expected) => {
    expect(codeOf(header)).toBe(expected);
  });

  it("never puts the credential in the error it throws", () => {
    let thrown: unknown;
    try {
      bearerToken("Bearer secret-token value");
    } catch (error) {
      thrown = error;
    }
    expect(errorCode(thrown)).toBe("ERR_TOKEN_INVALID");
    expect(String((thrown as Error).cause)).not.toContain("secret-token");
    expect((thrown as Error).message).not.toContain("secret-token");
  });
});
