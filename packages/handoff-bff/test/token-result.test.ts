import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TokenSource } from "../src/index.js";
import { makeProxy, startUpstream, type TestServer } from "./helpers.js";

const SESSION = "sid=rewritten; Path=/; HttpOnly; Secure; SameSite=Lax";

let upstream: TestServer;
beforeAll(async () => {
  upstream = await startUpstream((_req, res) => {
    res.writeHead(200, {
      "content-type": "text/plain",
      "cache-control": "public, max-age=600",
      "set-cookie": ["sid=from-upstream; Path=/"],
    });
    res.end("ok");
  });
});
afterAll(() => upstream.close());

const through = (token: TokenSource) =>
  makeProxy("node", { upstream: upstream.url, token }).handle(new Request("https://app.example/x"));

describe("a token source's TokenResult", () => {
  it("forwards its token and adds its cookies after the upstream's were dropped", async () => {
    const response = await through(async () => ({ token: "t-1", setCookie: [SESSION] }));
    expect(response.status).toBe(200);
    expect(upstream.seen.at(-1)?.headers.authorization).toBe("Bearer t-1");
    expect(response.headers.getSetCookie()).toEqual([SESSION]);
  });

  it("replaces the upstream's caching policy: a shared cache must not store a session cookie", async () => {
    const withCookie = await through(() => ({ token: "t-1", setCookie: [SESSION] }));
    expect(withCookie.headers.get("cache-control")).toBe("private, no-store");
    const without = await through(() => ({ token: "t-1" }));
    expect(without.headers.get("cache-control")).toBe("public, max-age=600");
    expect(without.headers.getSetCookie()).toEqual([]);
  });

  it("sends its cookies with the 401 when its token is null", async () => {
    const seen = upstream.seen.length;
    const response = await through(async () => ({ token: null, setCookie: ["sid=; Max-Age=0"] }));
    expect(response.status).toBe(401);
    expect((await response.json()).code).toBe("ERR_UNAUTHENTICATED");
    expect(response.headers.getSetCookie()).toEqual(["sid=; Max-Age=0"]);
    expect(upstream.seen.length).toBe(seen);
  });

  it("sends its cookies with a failure that follows, such as a 429", async () => {
    const source: TokenSource = () => ({ token: "t-2", setCookie: [SESSION] });
    const proxy = makeProxy("node", {
      upstream: upstream.url,
      token: source,
      rateLimit: { perSession: { limit: 1, windowSeconds: 60 } },
    });
    await proxy.handle(new Request("https://app.example/x"));
    const limited = await proxy.handle(new Request("https://app.example/x"));
    expect(limited.status).toBe(429);
    expect(limited.headers.getSetCookie()).toEqual([SESSION]);
  });

  it.each([
    ["a cookie with CR LF", ["a=b\r\nx-injected: 1"]],
    ["an empty cookie", [""]],
    ["a cookie that is not a string", [42]],
    ["setCookie that is not an array", "a=b"],
  ])("is refused with 500 ERR_TOKEN_SOURCE for %s", async (_label, setCookie) => {
    const seen = upstream.seen.length;
    const response = await through(() => ({ token: "t", setCookie }) as never);
    expect(response.status).toBe(500);
    expect((await response.json()).code).toBe("ERR_TOKEN_SOURCE");
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(upstream.seen.length).toBe(seen);
  });
});
