import { describe, expect, it } from "vitest";
import { addressKey, defaultClientIp } from "./client-ip.js";

describe("addressKey", () => {
  it("keeps IPv4 addresses, without a port", () => {
    expect(addressKey("203.0.113.7", 56)).toBe("203.0.113.7");
    expect(addressKey(" 203.0.113.7:51234 ", 56)).toBe("203.0.113.7");
  });

  it("reads an IPv4-mapped IPv6 address as the IPv4 one", () => {
    expect(addressKey("::ffff:203.0.113.7", 56)).toBe("203.0.113.7");
    expect(addressKey("::FFFF:cb00:7107", 56)).toBe("203.0.113.7");
  });

  it("counts IPv6 clients per prefix", () => {
    const a = addressKey("2001:db8:aaaa:bb01::1", 56);
    expect(a).toBe("2001:db8:aaaa:bb00:0:0:0:0/56");
    expect(addressKey("2001:db8:aaaa:bbff:ffff:ffff:ffff:ffff", 56)).toBe(a);
    expect(addressKey("[2001:db8:aaaa:bb42::9]:443", 56)).toBe(a);
    expect(addressKey("2001:db8:aaaa:bb01::1%eth0", 56)).toBe(a);
    expect(addressKey("2001:db8:aaaa:bc00::1", 56)).not.toBe(a);
    expect(addressKey("2001:db8::1", 128)).toBe("2001:db8:0:0:0:0:0:1/128");
    expect(addressKey("::1", 64)).toBe("0:0:0:0:0:0:0:0/64");
  });

  it("keeps anything that is not an IP address as it is", () => {
    expect(addressKey("user-42", 56)).toBe("user-42");
    expect(addressKey("1:2:3", 56)).toBe("1:2:3");
    expect(addressKey("1::2::3", 56)).toBe("1::2::3");
    expect(addressKey("1:2:3:4:5:6:7:8:9", 56)).toBe("1:2:3:4:5:6:7:8:9");
  });
});

describe("defaultClientIp", () => {
  const request = (xff?: string) =>
    new Request("http://app.example/", { headers: xff ? { "x-forwarded-for": xff } : {} });

  it("uses the peer address and ignores X-Forwarded-For unless it is trusted", () => {
    expect(defaultClientIp(false)(request("198.51.100.1"), "10.0.0.2")).toBe("10.0.0.2");
    expect(defaultClientIp(false)(request("198.51.100.1"), undefined)).toBeUndefined();
  });

  it("takes the rightmost X-Forwarded-For entry when trusted: the one the proxy appended", () => {
    const trusted = defaultClientIp(true);
    expect(trusted(request("6.6.6.6, 198.51.100.1"), "10.0.0.2")).toBe("198.51.100.1");
    expect(trusted(request("198.51.100.1 "), "10.0.0.2")).toBe("198.51.100.1");
    expect(trusted(request(), "10.0.0.2")).toBe("10.0.0.2");
    expect(trusted(request("6.6.6.6,"), "10.0.0.2")).toBe("10.0.0.2");
  });
});
