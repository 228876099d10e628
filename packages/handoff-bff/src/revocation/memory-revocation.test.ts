import { describe, expect, it } from "vitest";
import { errorCode } from "../errors.js";
import { memoryRevocation } from "./memory-revocation.js";

describe("memoryRevocation", () => {
  it("tells every subscriber at once, and remembers the session for ttlSeconds", async () => {
    const store = memoryRevocation({ ttlSeconds: 0.05 });
    const heard: string[] = [];
    const stop = store.subscribe({ onRevoked: (key) => heard.push(key) });
    await store.revoke("k1");
    expect(heard).toEqual(["k1"]);
    expect(store.isRevoked?.("k1")).toBe(true);
    expect(store.isRevoked?.("k2")).toBe(false);
    stop();
    await store.revoke("k2");
    expect(heard).toEqual(["k1"]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(store.isRevoked?.("k1")).toBe(false);
  });

  it("refuses options that are not positive numbers", () => {
    const codeOf = (make: () => unknown) => {
      try {
        make();
      } catch (error) {
        return errorCode(error);
      }
    };
    expect(codeOf(() => memoryRevocation({ ttlSeconds: 0 }))).toBe("ERR_INVALID_CONFIG");
    expect(codeOf(() => memoryRevocation({ maxEntries: 1.5 }))).toBe("ERR_INVALID_CONFIG");
  });
});
