import { describe, expect, it } from "vitest";
import { createBrain, readAgentConfig } from "./config.js";
import { SessionStore } from "./sessions.js";

/** The memory budgets when no variable sets them: 64 KiB per session, 64 MiB in all. */
const memory = { maxSessionBytes: 65_536, maxTotalBytes: 67_108_864 };

describe("the agent configuration", () => {
  it("runs the built-in brain without OPENAI_API_KEY", () => {
    expect(readAgentConfig({})).toEqual({ kind: "builtin", memory });
    expect(readAgentConfig({ OPENAI_API_KEY: "  ", OPENAI_MODEL: "x" })).toEqual({
      kind: "builtin",
      memory,
    });
    expect(createBrain({ kind: "builtin" }).kind).toBe("builtin");
  });

  it("paces the built-in brain's words with AGENT_WORD_DELAY_MS, and refuses a bad value", () => {
    expect(readAgentConfig({ AGENT_WORD_DELAY_MS: "250" })).toEqual({
      kind: "builtin",
      wordDelayMs: 250,
      memory,
    });
    for (const value of ["-1", "fast", "5001", "1.5"]) {
      expect(() => readAgentConfig({ AGENT_WORD_DELAY_MS: value }), value).toThrow(
        /AGENT_WORD_DELAY_MS/,
      );
    }
  });

  it("runs the model brain with a key, on gpt-4.1-mini unless OPENAI_MODEL says otherwise", () => {
    expect(readAgentConfig({ OPENAI_API_KEY: " sk-1 " })).toEqual({
      kind: "openai",
      apiKey: "sk-1",
      model: "gpt-4.1-mini",
      memory,
    });
    const config = readAgentConfig({
      OPENAI_API_KEY: "sk-1",
      OPENAI_BASE_URL: "http://127.0.0.1:11434/v1",
      OPENAI_MODEL: "llama3.1",
    });
    expect(config).toEqual({
      kind: "openai",
      apiKey: "sk-1",
      baseURL: "http://127.0.0.1:11434/v1",
      model: "llama3.1",
      memory,
    });
    const brain = createBrain(config);
    expect([brain.kind, brain.model]).toEqual(["openai", "llama3.1"]);
  });

  it.each(["not a url", "ftp://models.test/v1", "https://user:hunter2@models.test/v1"])(
    "refuses OPENAI_BASE_URL=%s with ERR_INVALID_CONFIG, quoting no credentials",
    (url) => {
      let error: unknown;
      try {
        readAgentConfig({ OPENAI_API_KEY: "sk-1", OPENAI_BASE_URL: url });
      } catch (caught) {
        error = caught;
      }
      expect(error).toMatchObject({ code: "ERR_INVALID_CONFIG" });
      expect((error as Error).message).toContain("OPENAI_BASE_URL");
      expect((error as Error).message).not.toContain("hunter2");
    },
  );

  it("refuses a key with a line break, without quoting it", () => {
    expect(() => readAgentConfig({ OPENAI_API_KEY: "sk-secret\nx-evil: 1" })).toThrow(
      expect.objectContaining({
        code: "ERR_INVALID_CONFIG",
        message: expect.not.stringContaining("sk-secret"),
      }),
    );
  });

  it("reads the memory budgets from AGENT_SESSION_MAX_BYTES and AGENT_MEMORY_MAX_BYTES", () => {
    const config = readAgentConfig({
      AGENT_SESSION_MAX_BYTES: " 16384 ",
      AGENT_MEMORY_MAX_BYTES: "1048576",
    });
    expect(config.memory).toEqual({ maxSessionBytes: 16_384, maxTotalBytes: 1_048_576 });
    // The options are named alike, so the composition root passes them straight on.
    const sessions = new SessionStore(config.memory);
    expect(sessions.bytes).toBe(0);
  });

  it.each([
    ["AGENT_SESSION_MAX_BYTES", "64k"],
    ["AGENT_SESSION_MAX_BYTES", "-1"],
    ["AGENT_SESSION_MAX_BYTES", "1024"],
    ["AGENT_SESSION_MAX_BYTES", "99999999999"],
    ["AGENT_MEMORY_MAX_BYTES", "1.5"],
    ["AGENT_MEMORY_MAX_BYTES", "20000000000"],
  ])("refuses %s=%s with ERR_INVALID_CONFIG", (name, value) => {
    expect(() => readAgentConfig({ [name]: value })).toThrow(
      expect.objectContaining({
        code: "ERR_INVALID_CONFIG",
        message: expect.stringContaining(name),
      }),
    );
  });

  it("refuses a total memory budget smaller than one session's", () => {
    expect(() =>
      readAgentConfig({ AGENT_SESSION_MAX_BYTES: "131072", AGENT_MEMORY_MAX_BYTES: "65536" }),
    ).toThrow(/AGENT_MEMORY_MAX_BYTES must be a whole number of bytes from 131072/);
    // Reported together with the agent's other problems, as every variable is.
    expect(() =>
      readAgentConfig({ AGENT_SESSION_MAX_BYTES: "x", AGENT_WORD_DELAY_MS: "slow" }),
    ).toThrow(/AGENT_WORD_DELAY_MS.*AGENT_SESSION_MAX_BYTES/);
  });
});
