import { describe, expect, it } from "vitest";
import { readAuthConfig } from "./config.js";

const base = {
  AUTH_JWKS_URL: "https://web.example/api/auth/jwks",
  AUTH_ISSUER: "https://web.example",
  AUTH_AUDIENCE: "https://web.example",
};

/** The `ERR_INVALID_CONFIG` message readAuthConfig throws for `env`. */
function problem(env: Record<string, string | undefined>): string {
  try {
    readAuthConfig(env);
  } catch (error) {
    expect((error as { code?: string }).code).toBe("ERR_INVALID_CONFIG");
    return (error as Error).message;
  }
  throw new Error("expected readAuthConfig to throw");
}

describe("readAuthConfig", () => {
  it("reads the three required variables and applies the defaults", () => {
    const config = readAuthConfig(base);
    expect(config).toEqual({
      jwksUrl: new URL(base.AUTH_JWKS_URL),
      issuer: base.AUTH_ISSUER,
      audience: base.AUTH_AUDIENCE,
      algorithms: ["EdDSA"],
      clockSkewSeconds: 30,
    });
  });

  it("names every missing variable in one error", () => {
    const message = problem({ AUTH_ISSUER: "  " });
    expect(message).toContain("AUTH_JWKS_URL is required");
    expect(message).toContain("AUTH_ISSUER is required");
    expect(message).toContain("AUTH_AUDIENCE is required");
  });

  it("parses a list of algorithms, ignoring blanks and repeats", () => {
    const config = readAuthConfig({ ...base, AUTH_ALGORITHMS: " EdDSA, ES256,,EdDSA " });
    expect(config.algorithms).toEqual(["EdDSA", "ES256"]);
  });

  it.each(["none", "HS256", "hs512", "EdDSA,HS384"])(
    "refuses AUTH_ALGORITHMS=%s: no unsecured or symmetric algorithm (RFC 8725)",
    (value) => {
      expect(problem({ ...base, AUTH_ALGORITHMS: value })).toContain("RFC 8725");
    },
  );

  it("refuses an algorithm it does not know", () => {
    expect(problem({ ...base, AUTH_ALGORITHMS: "EdDSA,ES999" })).toContain('"ES999"');
  });

  it.each([
    ["0", 0],
    ["45", 45],
    ["300", 300],
    ["", 30],
  ])("reads AUTH_CLOCK_SKEW_S=%j as %d seconds", (value, seconds) => {
    expect(readAuthConfig({ ...base, AUTH_CLOCK_SKEW_S: value }).clockSkewSeconds).toBe(seconds);
  });

  it.each(["-1", "1.5", "301", "30s", "abc"])("refuses AUTH_CLOCK_SKEW_S=%j", (value) => {
    expect(problem({ ...base, AUTH_CLOCK_SKEW_S: value })).toContain("AUTH_CLOCK_SKEW_S");
  });

  it.each([
    "http://127.0.0.1:3000/api/auth/jwks",
    "http://localhost:3000/api/auth/jwks",
    "http://web.localhost/jwks",
    "http://[::1]:3000/api/auth/jwks",
  ])("accepts plain http to a loopback host: %s", (url) => {
    expect(readAuthConfig({ ...base, AUTH_JWKS_URL: url }).jwksUrl.href).toBe(new URL(url).href);
  });

  it("refuses plain http to another host, unless AUTH_JWKS_ALLOW_HTTP is set", () => {
    const env = { ...base, AUTH_JWKS_URL: "http://web:3000/api/auth/jwks" };
    expect(problem(env)).toContain("must use https:");
    expect(readAuthConfig({ ...env, AUTH_JWKS_ALLOW_HTTP: "true" }).jwksUrl.host).toBe("web:3000");
  });

  it.each([
    ["not a URL", "web.example/jwks", "not a URL"],
    ["another scheme", "ftp://web.example/jwks", "http(s)"],
    ["credentials", "https://user:secret@web.example/jwks", "credentials"],
  ])("refuses an AUTH_JWKS_URL with %s", (_name, url, message) => {
    const text = problem({ ...base, AUTH_JWKS_URL: url });
    expect(text).toContain(message);
    expect(text).not.toContain("secret");
  });
});
