import { describe, expect, it } from "vitest";
import { describeHealth, reasonOf } from "./health";

describe("describeHealth", () => {
  it("names the built-in brain", () => {
    expect(describeHealth({ state: "available", brain: "builtin" })).toBe(
      "Agent: available (built-in)",
    );
  });

  it("names a model brain with its model", () => {
    expect(describeHealth({ state: "available", brain: "openai", model: "gpt-4.1-mini" })).toBe(
      "Agent: available (openai · gpt-4.1-mini)",
    );
  });

  it("says why it is unavailable", () => {
    expect(
      describeHealth({
        state: "unavailable",
        reason: "The upstream service could not be reached.",
      }),
    ).toBe("Agent: unavailable — The upstream service could not be reached");
  });
});

describe("reasonOf", () => {
  it("words the proxy's codes for a down API", () => {
    expect(reasonOf({ status: 502, code: "ERR_UPSTREAM_UNREACHABLE", detail: "…" })).toBe(
      "the API could not be reached",
    );
    expect(reasonOf({ status: 504, code: "ERR_UPSTREAM_TIMEOUT" })).toBe(
      "the API did not answer in time",
    );
  });

  it("falls back to the problem's detail, then to the network failure", () => {
    expect(
      reasonOf({
        status: 500,
        code: "ERR_TOKEN_SOURCE",
        detail: "The session token could not be read.",
      }),
    ).toBe("The session token could not be read.");
    expect(reasonOf(new TypeError("Failed to fetch"))).toMatch(/could not be reached/);
  });
});
