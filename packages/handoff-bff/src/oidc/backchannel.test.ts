import { describe, expect, it } from "vitest";
import { logoutTokenAlgorithms } from "./backchannel.js";

describe("the algorithms a logout token may be signed with", () => {
  it("is the client's registered ID token algorithm when there is one", () => {
    expect(logoutTokenAlgorithms("ES256", ["RS256", "ES256"])).toEqual(["ES256"]);
  });

  it("accepts what the provider advertises for ID tokens, such as EdDSA or ES256", () => {
    expect(logoutTokenAlgorithms(undefined, ["RS256", "ES256", "EdDSA"])).toEqual([
      "RS256",
      "ES256",
      "EdDSA",
    ]);
  });

  it("never accepts none or an HMAC algorithm, whose key would be the client secret", () => {
    expect(logoutTokenAlgorithms(undefined, ["none", "HS256", "HS512", "PS256"])).toEqual([
      "PS256",
    ]);
  });

  it("falls back to RS256 when the provider advertises nothing usable", () => {
    expect(logoutTokenAlgorithms(undefined, undefined)).toEqual(["RS256"]);
    expect(logoutTokenAlgorithms(undefined, ["none", "HS256"])).toEqual(["RS256"]);
  });
});
