import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cookieToken } from "../src/index.js";
import type { LogEvent } from "../src/proxy/index.js";
import {
  COOKIE,
  rawExchange,
  rawRequest,
  SERVINGS,
  startProxy,
  startUpstream,
  type TestServer,
  TOKEN,
} from "./helpers.js";

describe.each(SERVINGS)(
  "security through the $flavour transport via the $via",
  ({ flavour, via }) => {
    let upstream: TestServer;
    let canary: TestServer;
    let proxy: Awaited<ReturnType<typeof startProxy>>;
    const events: LogEvent[] = [];

    beforeAll(async () => {
      canary = await startUpstream();
      upstream = await startUpstream((req, res, seen) => {
        if (seen.url === "/v1/to-canary") {
          res.writeHead(307, { location: `${canary.url}/steal` });
          return void res.end();
        }
        if (seen.url === "/v1/cookies") {
          res.writeHead(200, [
            ["Set-Cookie", "auth_token=attacker; Path=/"],
            ["Set-Cookie", "prefs=1; Path=/"],
          ]);
          return void res.end();
        }
        if (seen.url === "/v1/crash") {
          res.writeHead(500, { "content-type": "text/plain" });
          return void res.end("Error: boom\n    at handler (/srv/app.js:1:1)");
        }
        res.writeHead(200, { "content-type": "application/json" });
        res.end(req.method === "HEAD" ? undefined : "{}");
      });
      proxy = await startProxy(
        flavour,
        {
          upstream: `${upstream.url}/v1`,
          mount: "/api/proxy",
          token: cookieToken("auth_token"),
          logger: (event) => events.push(event),
        },
        via,
      );
    });
    afterAll(async () => {
      await Promise.all([proxy.close(), upstream.close(), canary.close()]);
    });

    const call = (path: string, headers: Record<string, string> = {}, init: RequestInit = {}) =>
      fetch(`${proxy.url}${path}`, { ...init, headers: { cookie: COOKIE, ...headers } });

    describe("the token goes to the upstream origin and nowhere else", () => {
      it("survives thousands of generated hostile paths without one reaching another host", async () => {
        const hosts = [
          `127.0.0.1:${canary.port}`,
          `localhost:${canary.port}`,
          `[::1]:${canary.port}`,
          `2130706433:${canary.port}`,
        ];
        const prefixes = [
          "",
          "/",
          "//",
          "///",
          "\\\\",
          "/\\",
          "%2F%2F",
          "%2f/",
          "%5C%5C",
          "/%5c",
          "@",
          "%40",
          "http:",
          "http://",
          "https:%2F%2F",
          "%00",
          "%0d%0a",
          "..",
          "%2e%2e",
          ".%2E",
          "%252e%252e",
          "..%2F",
          "..%5c",
          "%c0%ae%c0%ae",
          "/.",
          "./",
          ";",
          "%3B",
          "#",
          "%23",
          "?",
          "%3F",
        ];
        const suffixes = [
          "",
          "/",
          "/x",
          "/v1/x",
          "%2Fx",
          "?q=1",
          "#frag",
          "@x",
          ":80/x",
          "\\x",
          "%00x",
        ];
        // mulberry32: a small seeded generator, so a failure can be replayed exactly.
        let seed = 20261123;
        const random = () => {
          seed = (seed + 0x6d2b79f5) | 0;
          let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
          t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
          return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
        };
        const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)] as T;
        const paths = new Set<string>();
        for (const prefix of prefixes) {
          for (const host of hosts) paths.add(`${prefix}${host}${pick(suffixes)}`);
        }
        while (paths.size < 3000) {
          const parts = [
            pick(prefixes),
            pick(prefixes),
            pick(hosts),
            pick(suffixes),
            pick(prefixes),
          ];
          paths.add(parts.slice(0, 2 + Math.floor(random() * 4)).join(""));
        }
        const targets = [...paths].flatMap((path) => [`/api/proxy/${path}`, `/api/proxy${path}`]);
        // Control characters and spaces make some raw request lines unparseable; Node rejects
        // those itself (400), which is also "not forwarded".
        const statuses = new Map<number, number>();
        const queue = [...targets];
        const worker = async () => {
          for (let target = queue.pop(); target !== undefined; target = queue.pop()) {
            const status = await rawRequest(
              proxy.port,
              `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${proxy.port}\r\nCookie: ${COOKIE}\r\nConnection: close\r\n\r\n`,
            );
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
          }
        };
        await Promise.all(Array.from({ length: 16 }, worker));
        expect(canary.seen).toHaveLength(0);
        for (const seen of upstream.seen) expect(seen.url).toMatch(/^\/v1(?:[/?]|$)/);
        // Behind a front door, what reached the app is outside the mount however it is read.
        // (Read here as a WHATWG URL parser reads it, after decoding every layer it can.)
        for (const seen of proxy.fallback) {
          expect(asRouterReads(seen.url), seen.url).not.toMatch(/^\/api\/proxy(?:\/|$)/);
        }
        // Every request got an answer, and none was a proxy crash.
        expect(statuses.has(0)).toBe(false);
        expect(statuses.has(500)).toBe(false);
        expect(targets.length).toBeGreaterThan(5000);
      });

      it.each([
        ["a dot segment", "/api/proxy/a/../../admin"],
        ["an encoded dot segment", "/api/proxy/a/%2e%2e/%2e%2e/admin"],
        ["a single dot segment", "/api/proxy/./tasks"],
        ["a backslash", "/api/proxy/a\\..\\admin"],
        ["a raw fragment mark", "/api/proxy/a#b"],
        ["an encoded slash beside dots", "/api/proxy/a/..%2F..%2Fadmin"],
        ["a double-encoded dot segment", "/api/proxy/a/%252e%252e/admin"],
        ["an encoded backslash", "/api/proxy/a/..%5Cadmin"],
        ["an empty segment", "/api/proxy//127.0.0.1/x"],
        ["an encoded NUL", "/api/proxy/a%00b"],
        ["an encoded CRLF", "/api/proxy/a%0d%0aX-Injected:%201"],
        ["a malformed escape", "/api/proxy/a%zzb"],
      ])("refuses %s with 400 and contacts nothing", async (_name, target) => {
        const before = upstream.seen.length;
        const fallbackBefore = proxy.fallback.length;
        // Raw bytes: an HTTP client library would normalise the path before sending it.
        const response = await rawExchange(
          proxy.port,
          `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${COOKIE}\r\nConnection: close\r\n\r\n`,
        );
        expect(response).toMatch(/^HTTP\/1\.1 400 /);
        expect(response).toContain('"code":"ERR_AMBIGUOUS_PATH"');
        expect(upstream.seen.length).toBe(before);
        expect(proxy.fallback.length).toBe(fallbackBefore);
      });

      it("hands a redirect to a foreign host to the browser without following it", async () => {
        const response = await call("/api/proxy/to-canary", {}, { redirect: "manual" });
        expect(response.status).toBe(307);
        expect(response.headers.get("location")).toBe(`${canary.url}/steal`);
        expect(canary.seen).toHaveLength(0);
      });
    });

    describe("credentials", () => {
      it("never forwards the browser's cookies or a client-supplied Authorization", async () => {
        await (
          await call("/api/proxy/tasks", {
            authorization: "Bearer attacker-chosen",
            "proxy-authorization": "Basic eDp5",
          })
        ).text();
        const seen = upstream.seen.at(-1);
        expect(seen?.headers.cookie).toBeUndefined();
        expect(seen?.headers.authorization).toBe(`Bearer ${TOKEN}`);
        expect(seen?.headers["proxy-authorization"]).toBeUndefined();
        expect(seen?.rawHeaders.filter((h) => h.toLowerCase() === "authorization")).toHaveLength(1);
      });

      it("answers 401 problem+json without a session cookie and contacts nothing", async () => {
        const before = upstream.seen.length;
        const response = await fetch(`${proxy.url}/api/proxy/tasks`, {
          headers: { cookie: "theme=dark" },
        });
        expect(response.status).toBe(401);
        expect(response.headers.get("content-type")).toBe("application/problem+json");
        const problem = await response.json();
        expect(problem).toMatchObject({ status: 401, code: "ERR_UNAUTHENTICATED" });
        expect(upstream.seen.length).toBe(before);
      });

      it("does not let the upstream set cookies on the app's origin by default", async () => {
        const response = await call("/api/proxy/cookies");
        expect(response.headers.getSetCookie()).toEqual([]);
      });

      it("distrusts client-supplied X-Forwarded-* and Forwarded", async () => {
        await (
          await call("/api/proxy/tasks", {
            "x-forwarded-for": "6.6.6.6",
            "x-forwarded-host": "evil.example",
            "x-forwarded-proto": "https",
            forwarded: "for=6.6.6.6;host=evil.example",
            "x-real-ip": "6.6.6.6",
          })
        ).text();
        const h = upstream.seen.at(-1)?.headers ?? {};
        expect(h["x-forwarded-for"]).toBe("127.0.0.1");
        expect(h["x-forwarded-host"]).toBe(`127.0.0.1:${proxy.port}`);
        expect(h["x-forwarded-proto"]).toBe("http");
        expect(h.forwarded).toBeUndefined();
        expect(h["x-real-ip"]).toBeUndefined();
      });

      it("passes the upstream's own error body through but adds no internals of its own", async () => {
        const response = await call("/api/proxy/crash");
        expect(response.status).toBe(500);
        expect(await response.text()).toContain("Error: boom");
      });
    });

    describe("cross-site requests", () => {
      it.each([
        ["Sec-Fetch-Site: cross-site", { "sec-fetch-site": "cross-site" }, "ERR_CSRF_CROSS_SITE"],
        ["Sec-Fetch-Site: same-site", { "sec-fetch-site": "same-site" }, "ERR_CSRF_CROSS_SITE"],
        ["a foreign Origin", { origin: "https://evil.example" }, "ERR_CSRF_ORIGIN_MISMATCH"],
        ["Origin: null", { origin: "null" }, "ERR_CSRF_ORIGIN_MISMATCH"],
        [
          "a foreign Origin claiming same-origin",
          { origin: "http://127.0.0.1:1", "sec-fetch-site": "same-origin" },
          "ERR_CSRF_ORIGIN_MISMATCH",
        ],
      ])("refuses a request with %s (403) and contacts nothing", async (_name, headers, code) => {
        for (const method of ["POST", "GET", "DELETE"]) {
          const before = upstream.seen.length;
          const response = await call("/api/proxy/tasks", headers, {
            method,
            ...(method === "POST" ? { body: "title=x" } : {}),
          });
          expect(response.status).toBe(403);
          expect((await response.json()).code).toBe(code);
          expect(upstream.seen.length).toBe(before);
        }
      });

      it("lets same-origin browser requests and non-browser clients through", async () => {
        const sameOrigin = await call(
          "/api/proxy/tasks",
          { origin: proxy.url, "sec-fetch-site": "same-origin" },
          { method: "POST", body: "{}" },
        );
        expect(sameOrigin.status).toBe(200);
        const typedUrl = await call("/api/proxy/tasks", { "sec-fetch-site": "none" });
        expect(typedUrl.status).toBe(200);
        const curl = await call("/api/proxy/tasks", {}, { method: "POST", body: "{}" });
        expect(curl.status).toBe(200);
      });
    });

    describe("logs", () => {
      it("never contain the token, the cookie or the query", async () => {
        await (await call("/api/proxy/tasks?api_key=query-secret")).text();
        await (await call("/api/proxy/x", { origin: "https://evil.example" })).text();
        await (await fetch(`${proxy.url}/api/proxy/x`)).text();
        await (await call("/api/proxy/a%2e%2e/b")).text();
        expect(events.length).toBeGreaterThan(3);
        const logged = JSON.stringify(events);
        expect(logged).not.toContain(TOKEN);
        expect(logged).not.toContain("query-secret");
        expect(logged).not.toContain("dark");
        expect(events.map((event) => event.code)).toContain("ERR_CSRF_ORIGIN_MISMATCH");
      });
    });
  },
);

/** A raw request-target's path as a lenient router could end up reading it. */
function asRouterReads(target: string): string {
  let path = target;
  for (let round = 0; round < 10; round++) {
    const next = path.replace(/%[0-7][0-9a-f]/gi, (sequence) =>
      String.fromCharCode(Number.parseInt(sequence.slice(1), 16)),
    );
    if (next === path) break;
    path = next;
  }
  return new URL(path.replace(/^[/\\]+/, "/"), "http://router.test").pathname.replace(
    /\/{2,}/g,
    "/",
  );
}

describe("token sources and logs under failure", () => {
  it("answers 500 ERR_TOKEN_SOURCE when the source throws, and logs nothing it said", async () => {
    const upstream = await startUpstream();
    const events: LogEvent[] = [];
    const proxy = await startProxy("node", {
      upstream: upstream.url,
      token: () => {
        throw new Error(`decrypt failed for ${TOKEN}`);
      },
      logger: { error: (event) => events.push(event), warn: (event) => events.push(event) },
    });
    const response = await fetch(`${proxy.url}/x`);
    const body = await response.text();
    expect(response.status).toBe(500);
    expect(JSON.parse(body).code).toBe("ERR_TOKEN_SOURCE");
    expect(body).not.toContain(TOKEN);
    expect(JSON.stringify(events)).not.toContain(TOKEN);
    expect(events).toHaveLength(1);
    expect(upstream.seen).toHaveLength(0);
    await Promise.all([proxy.close(), upstream.close()]);
  });

  it("refuses a token that would split the Authorization header", async () => {
    const upstream = await startUpstream();
    const proxy = await startProxy("node", {
      upstream: upstream.url,
      token: () => "abc\r\nX-Admin: 1",
    });
    const response = await fetch(`${proxy.url}/x`);
    expect(response.status).toBe(500);
    expect(upstream.seen).toHaveLength(0);
    await Promise.all([proxy.close(), upstream.close()]);
  });

  it("never puts the token in an upstream failure's answer or log", async () => {
    const gone = await startUpstream();
    await gone.close();
    const events: LogEvent[] = [];
    const proxy = await startProxy("node", {
      upstream: gone.url,
      token: cookieToken("auth_token"),
      logger: (event) => events.push(event),
    });
    const response = await fetch(`${proxy.url}/x`, { headers: { cookie: COOKIE } });
    const body = await response.text();
    expect(response.status).toBe(502);
    expect(body).not.toContain(TOKEN);
    expect(JSON.stringify(events)).not.toContain(TOKEN);
    expect(events[0]?.cause).toContain("ECONNREFUSED");
    await proxy.close();
  });
});

describe("options", () => {
  it("can pass upstream cookies, or filter them", async () => {
    const upstream = await startUpstream((_req, res) => {
      res.writeHead(200, [
        ["Set-Cookie", "auth_token=attacker; Path=/"],
        ["Set-Cookie", "prefs=1; Path=/"],
      ]);
      res.end();
    });
    const pass = await startProxy("node", {
      upstream: upstream.url,
      token: cookieToken("auth_token"),
      setCookie: "pass",
    });
    const filtered = await startProxy("node", {
      upstream: upstream.url,
      token: cookieToken("auth_token"),
      setCookie: (cookie) => (cookie.startsWith("auth_token=") ? null : cookie),
    });
    const all = await fetch(`${pass.url}/x`, { headers: { cookie: COOKIE } });
    expect(all.headers.getSetCookie()).toEqual(["auth_token=attacker; Path=/", "prefs=1; Path=/"]);
    const some = await fetch(`${filtered.url}/x`, { headers: { cookie: COOKIE } });
    expect(some.headers.getSetCookie()).toEqual(["prefs=1; Path=/"]);
    await Promise.all([pass.close(), filtered.close(), upstream.close()]);
  });

  it("trusts X-Forwarded-* only when told to, appending the peer", async () => {
    const upstream = await startUpstream();
    const proxy = await startProxy("node", {
      upstream: upstream.url,
      token: cookieToken("auth_token"),
      trustForwarded: true,
    });
    await (
      await fetch(`${proxy.url}/x`, {
        headers: {
          cookie: COOKIE,
          "x-forwarded-for": "203.0.113.9",
          "x-forwarded-host": "app.example.com",
          "x-forwarded-proto": "https",
        },
      })
    ).text();
    const h = upstream.seen[0]?.headers ?? {};
    expect(h["x-forwarded-for"]).toBe("203.0.113.9, 127.0.0.1");
    expect(h["x-forwarded-host"]).toBe("app.example.com");
    expect(h["x-forwarded-proto"]).toBe("https");
    await Promise.all([proxy.close(), upstream.close()]);
  });

  it("requires the custom CSRF header when configured, and honours allowedOrigins", async () => {
    const upstream = await startUpstream();
    const proxy = await startProxy("node", {
      upstream: upstream.url,
      token: cookieToken("auth_token"),
      csrf: { requireHeader: "X-CSRF", allowedOrigins: ["https://app.example.com"] },
    });
    const send = (headers: Record<string, string>) =>
      fetch(`${proxy.url}/x`, { method: "POST", headers: { cookie: COOKIE, ...headers } });
    const missing = await send({});
    expect(missing.status).toBe(403);
    expect((await missing.json()).code).toBe("ERR_CSRF_HEADER_MISSING");
    expect((await send({ "x-csrf": "0" })).status).toBe(403);
    expect((await send({ "x-csrf": "1", origin: proxy.url })).status).toBe(403);
    const ok = await send({ "x-csrf": "1", origin: "https://app.example.com" });
    expect(ok.status).toBe(200);
    expect(upstream.seen).toHaveLength(1);
    await Promise.all([proxy.close(), upstream.close()]);
  });

  it.each([
    [{ upstream: "ftp://x" }],
    [{ upstream: "http://user:pw@x" }],
    [{ upstream: "http://x/?q=1" }],
    [{ upstream: "not a url" }],
    [{ upstream: "http://x", mount: "api" }],
    [{ upstream: "http://x", timeout: { headers: 0 } }],
    [{ upstream: "http://x", maxRequestBytes: -1 }],
    [{ upstream: "http://x", methods: ["GET", "TRACE"] }],
    [{ upstream: "http://x", csrf: { allowedOrigins: ["https://app.example.com/path"] } }],
  ])("refuses unusable options at creation: %j", async (options) => {
    const { createProxy } = await import("../src/index.js");
    expect(() => createProxy({ token: () => "t", ...options })).toThrow(
      expect.objectContaining({ code: "ERR_INVALID_CONFIG" }),
    );
  });
});

it("answers a request whose Host makes no URL with 400, contacting nothing", async () => {
  const upstream = await startUpstream();
  const proxy = await startProxy("node", { upstream: upstream.url, token: () => TOKEN });
  const response = await rawExchange(
    proxy.port,
    "GET /x HTTP/1.1\r\nHost: example.test:99999\r\nConnection: close\r\n\r\n",
  );
  expect(response).toMatch(/^HTTP\/1\.1 400 /);
  expect(response).toContain('"code":"ERR_AMBIGUOUS_PATH"');
  expect(upstream.seen).toHaveLength(0);
  await Promise.all([proxy.close(), upstream.close()]);
});

it("answers a raw request with an absolute-form target with 400", async () => {
  const upstream = await startUpstream();
  const proxy = await startProxy("node", { upstream: upstream.url, token: () => TOKEN });
  const status = await rawRequest(
    proxy.port,
    `GET http://127.0.0.1:${upstream.port}/x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`,
  );
  expect(status).toBe(400);
  expect(upstream.seen).toHaveLength(0);
  await Promise.all([proxy.close(), upstream.close()]);
});
