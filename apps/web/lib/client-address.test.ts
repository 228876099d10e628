import { describe, expect, it } from "vitest";
import { trustedClientAddress } from "./client-address";

const xff = (value: string) => new Headers({ "x-forwarded-for": value });

describe("trustedClientAddress", () => {
  it("trusts no X-Forwarded-For at all when no proxy is trusted", () => {
    expect(trustedClientAddress(xff("203.0.113.7"), 0)).toBeNull();
    expect(trustedClientAddress(new Headers(), 0)).toBeNull();
  });

  it("takes the socket's peer under the front door when no proxy is trusted, never the header", () => {
    expect(trustedClientAddress(xff("6.6.6.6"), 0, "203.0.113.7")).toBe("203.0.113.7");
    expect(trustedClientAddress(new Headers(), 0, "::ffff:127.0.0.1")).toBe("127.0.0.1");
    expect(trustedClientAddress(new Headers(), 0, "2001:db8:1:2:3:4:5:6")).toBe(
      "2001:db8:1:2::/64",
    );
  });

  it("reads the trusted proxies' entry when proxies stand in front, the peer only without a header", () => {
    expect(trustedClientAddress(xff("203.0.113.7"), 1, "10.0.0.2")).toBe("203.0.113.7");
    // No header: the peer stands for it, as Next's `??=` makes it under the route handlers.
    expect(trustedClientAddress(new Headers(), 1, "10.0.0.2")).toBe("10.0.0.2");
    expect(trustedClientAddress(new Headers(), 2, "10.0.0.2")).toBeNull();
  });

  it("takes the entry the outermost trusted proxy appended, not the client's entries to its left", () => {
    expect(trustedClientAddress(xff("6.6.6.6, 203.0.113.7"), 1)).toBe("203.0.113.7");
    expect(trustedClientAddress(xff("6.6.6.6, 203.0.113.7, 10.0.0.2"), 2)).toBe("203.0.113.7");
  });

  it("trusts nothing when the request did not pass through every trusted proxy", () => {
    expect(trustedClientAddress(xff("203.0.113.7"), 2)).toBeNull();
    expect(trustedClientAddress(new Headers(), 1)).toBeNull();
    expect(trustedClientAddress(xff(" , "), 1)).toBeNull();
  });

  it("counts an IPv6 client per /64 and an IPv4-mapped address as IPv4", () => {
    expect(trustedClientAddress(xff("2001:db8:1:2:aaaa::1"), 1)).toBe("2001:db8:1:2::/64");
    expect(trustedClientAddress(xff("[2001:DB8:1:2::ffff]:4711"), 1)).toBe("2001:db8:1:2::/64");
    expect(trustedClientAddress(xff("::ffff:192.0.2.1"), 1)).toBe("192.0.2.1");
    expect(trustedClientAddress(xff("192.0.2.1:4711"), 1)).toBe("192.0.2.1");
  });
});
