import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cookieToken } from "../src/index.js";
import {
  COOKIE,
  nodeRequest,
  rawRequest,
  SERVINGS,
  type Seen,
  startProxy,
  startUpstream,
  type TestServer,
  TOKEN,
} from "./helpers.js";

describe.each(SERVINGS)(
  "forwarding through the $flavour transport via the $via",
  ({ flavour, via }) => {
    let upstream: TestServer;
    let proxy: Awaited<ReturnType<typeof startProxy>>;
    let last: () => Seen;

    beforeAll(async () => {
      upstream = await startUpstream((req, res, seen) => {
        const url = seen.url;
        if (url.startsWith("/v1/status/")) {
          const status = Number(url.slice("/v1/status/".length));
          res.writeHead(status, { etag: '"v7"', "cache-control": "private, max-age=5" });
          res.end(status === 204 || status === 304 || req.method === "HEAD" ? undefined : "x");
          return;
        }
        if (url === "/v1/text") {
          res.writeHead(200, { "content-type": "text/csv; charset=utf-8" });
          res.end("id,title\n1,milk\n");
          return;
        }
        if (url === "/v1/binary") {
          const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
          res.writeHead(200, { "content-type": "application/octet-stream" });
          res.end(bytes);
          return;
        }
        if (url === "/v1/headers") {
          res.writeHead(200, [
            ["Content-Type", "text/plain"],
            ["Location", "https://elsewhere.example/x"],
            ["ETag", 'W/"42"'],
            ["Cache-Control", "no-cache"],
            ["Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT"],
            ["Vary", "Accept, Accept-Language"],
            ["Content-Disposition", 'attachment; filename="tasks.csv"'],
            ["WWW-Authenticate", 'Bearer error="invalid_token"'],
            ["Retry-After", "120"],
            ["X-Custom", "a"],
            ["X-Custom", "b"],
            ["Connection", "X-Secret-Hop"],
            ["X-Secret-Hop", "must not pass"],
            ["Keep-Alive", "timeout=99"],
            ["Set-Cookie", "upstream_session=1; Path=/"],
          ]);
          res.end("ok");
          return;
        }
        if (url.startsWith("/v1/redirect")) {
          res.writeHead(302, { location: `${upstream.url}/v1/tasks/7` });
          res.end();
          return;
        }
        const body = JSON.stringify({
          method: seen.method,
          url: seen.url,
          sha256: createHash("sha256").update(seen.body).digest("hex"),
          length: seen.body.length,
          contentType: seen.headers["content-type"] ?? null,
        });
        res.writeHead(seen.method === "POST" ? 201 : 200, {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
        });
        res.end(seen.method === "HEAD" ? undefined : body);
      });
      proxy = await startProxy(
        flavour,
        {
          upstream: `${upstream.url}/v1`,
          mount: "/api/proxy",
          token: cookieToken("auth_token"),
        },
        via,
      );
      last = () => upstream.seen.at(-1) as Seen;
    });
    afterAll(async () => {
      await proxy.close();
      await upstream.close();
    });

    const call = (path: string, init: RequestInit = {}) =>
      fetch(`${proxy.url}${path}`, {
        ...init,
        headers: { cookie: COOKIE, ...(init.headers as Record<string, string>) },
      });

    it.each(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])(
      "sends %s to the upstream as itself, with the bearer token",
      async (method) => {
        const response = await call("/api/proxy/tasks", { method });
        await response.arrayBuffer();
        expect(last().method).toBe(method);
        expect(last().url).toBe("/v1/tasks");
        expect(last().headers.authorization).toBe(`Bearer ${TOKEN}`);
      },
    );

    it("sends HEAD as HEAD and answers without a body but with the GET's headers", async () => {
      const response = await call("/api/proxy/tasks", { method: "HEAD" });
      expect(last().method).toBe("HEAD");
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("application/json");
      expect(await response.text()).toBe("");
    });

    it("keeps percent-encoding in the path exactly as sent", async () => {
      await (await call("/api/proxy/files/a%2Fb/c%3Fd/100%25/%E2%9C%93")).text();
      expect(last().url).toBe("/v1/files/a%2Fb/c%3Fd/100%25/%E2%9C%93");
    });

    it("keeps the query string raw, with repeated keys in order", async () => {
      await (await call("/api/proxy/tasks?a=1&a=2&b=%20x+y&a=3&empty=&flag")).text();
      expect(last().url).toBe("/v1/tasks?a=1&a=2&b=%20x+y&a=3&empty=&flag");
    });

    it("keeps a trailing slash", async () => {
      await (await call("/api/proxy/tasks/")).text();
      expect(last().url).toBe("/v1/tasks/");
    });

    it("maps the bare mount to the upstream base path", async () => {
      await (await call("/api/proxy")).text();
      expect(last().url).toBe("/v1");
    });

    it("does not forward a path that only shares the mount's prefix", async () => {
      const before = upstream.seen.length;
      const response = await call("/api/proxyx/tasks");
      expect(response.status).toBe(404);
      if (via === "front door") {
        // Not the proxy's path at all: the app behind the front door answers it.
        expect(response.headers.get("x-fallback")).toBe("1");
        expect(proxy.fallback.at(-1)?.url).toBe("/api/proxyx/tasks");
      } else {
        expect((await response.json()).code).toBe("ERR_NOT_MOUNTED");
      }
      expect(upstream.seen.length).toBe(before);
    });

    it.each([
      ["JSON", "application/json", Buffer.from(JSON.stringify({ title: "buy milk ✓" }))],
      ["text", "text/plain; charset=utf-8", Buffer.from("plain text\r\nwith CRLF\n")],
      [
        "binary",
        "application/octet-stream",
        Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) % 256)),
      ],
    ])("forwards a %s body byte for byte with its Content-Type", async (_kind, type, bytes) => {
      const response = await call("/api/proxy/upload", {
        method: "POST",
        headers: { "content-type": type },
        body: bytes,
      });
      const echoed = await response.json();
      expect(response.status).toBe(201);
      expect(echoed.contentType).toBe(type);
      expect(echoed.length).toBe(bytes.length);
      expect(echoed.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    });

    it("forwards a multipart upload intact, boundary and all", async () => {
      const form = new FormData();
      form.append("title", "report");
      form.append(
        "file",
        new Blob([new Uint8Array([0, 1, 2, 255, 13, 10, 45, 45])], { type: "image/png" }),
        "x.png",
      );
      const encoded = new Request("http://x/", { method: "POST", body: form });
      const bytes = Buffer.from(await encoded.arrayBuffer());
      const type = encoded.headers.get("content-type") as string;
      const response = await call("/api/proxy/upload", {
        method: "POST",
        headers: { "content-type": type },
        body: bytes,
      });
      const echoed = await response.json();
      expect(echoed.contentType).toBe(type);
      expect(echoed.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    });

    it("streams a large body of declared length upstream intact", async () => {
      const bytes = Buffer.alloc(3 * 1024 * 1024 + 17, 0xab);
      bytes.write("start", 0);
      bytes.write("end", bytes.length - 3);
      const response = await call("/api/proxy/upload", { method: "PUT", body: bytes });
      const echoed = await response.json();
      expect(echoed.length).toBe(bytes.length);
      expect(echoed.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    });

    it("streams a chunked body of unknown length upstream intact", async () => {
      const parts = [Buffer.from("first,"), Buffer.alloc(200_000, 0x61), Buffer.from(",last")];
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const part of parts) controller.enqueue(new Uint8Array(part));
          controller.close();
        },
      });
      const response = await call("/api/proxy/upload", {
        method: "POST",
        body,
        duplex: "half",
      } as RequestInit);
      const echoed = await response.json();
      const whole = Buffer.concat(parts);
      expect(echoed.length).toBe(whole.length);
      expect(echoed.sha256).toBe(createHash("sha256").update(whole).digest("hex"));
    });

    it("sends an empty POST with Content-Length: 0", async () => {
      await (await call("/api/proxy/tasks", { method: "POST" })).text();
      expect(last().headers["content-length"]).toBe("0");
      expect(last().headers["transfer-encoding"]).toBeUndefined();
    });

    it.each([201, 202, 400, 404, 409, 422, 500, 503])(
      "answers status %i as sent",
      async (status) => {
        const response = await call(`/api/proxy/status/${status}`);
        expect(response.status).toBe(status);
        expect(await response.text()).toBe("x");
      },
    );

    it.each([204, 304])("answers %i with no body and its headers", async (status) => {
      const response = await call(`/api/proxy/status/${status}`);
      expect(response.status).toBe(status);
      expect(response.headers.get("etag")).toBe('"v7"');
      expect(await response.text()).toBe("");
    });

    it("passes non-JSON bodies through untouched", async () => {
      const csv = await call("/api/proxy/text");
      expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
      expect(await csv.text()).toBe("id,title\n1,milk\n");
      const binary = Buffer.from(await (await call("/api/proxy/binary")).arrayBuffer());
      expect([...binary]).toEqual(Array.from({ length: 256 }, (_, i) => i));
    });

    it("keeps end-to-end response headers and drops hop-by-hop ones", async () => {
      const response = await call("/api/proxy/headers");
      const h = response.headers;
      expect(h.get("location")).toBe("https://elsewhere.example/x");
      expect(h.get("etag")).toBe('W/"42"');
      expect(h.get("cache-control")).toBe("no-cache");
      expect(h.get("last-modified")).toBe("Wed, 21 Oct 2015 07:28:00 GMT");
      expect(h.get("vary")).toBe("Accept, Accept-Language");
      expect(h.get("content-disposition")).toBe('attachment; filename="tasks.csv"');
      expect(h.get("www-authenticate")).toBe('Bearer error="invalid_token"');
      expect(h.get("retry-after")).toBe("120");
      expect(h.get("x-custom")).toBe("a, b");
      expect(h.get("x-secret-hop")).toBeNull();
      expect(h.get("keep-alive") ?? "").not.toContain("99");
      expect(h.get("set-cookie")).toBeNull();
    });

    it("hands a redirect to the browser, rewritten under the mount, and does not follow it", async () => {
      const before = upstream.seen.length;
      const response = await call("/api/proxy/redirect", { redirect: "manual" });
      expect(response.status).toBe(302);
      expect(response.headers.get("location")).toBe("/api/proxy/tasks/7");
      expect(upstream.seen.length).toBe(before + 1);
    });

    it("forwards end-to-end request headers and drops hop-by-hop ones", async () => {
      await nodeRequest(`${proxy.url}/api/proxy/tasks`, {
        headers: {
          cookie: COOKIE,
          accept: "application/json",
          "accept-language": "de-CH",
          "if-none-match": '"v1"',
          "if-modified-since": "Wed, 21 Oct 2015 07:28:00 GMT",
          range: "bytes=0-99",
          "x-trace-me": "yes",
          traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
          connection: "keep-alive, x-hop-only",
          "x-hop-only": "secret",
          te: "trailers",
        },
      });
      const h = last().headers;
      expect(h.accept).toBe("application/json");
      expect(h["accept-language"]).toBe("de-CH");
      expect(h["if-none-match"]).toBe('"v1"');
      expect(h["if-modified-since"]).toBe("Wed, 21 Oct 2015 07:28:00 GMT");
      expect(h.range).toBe("bytes=0-99");
      expect(h["x-trace-me"]).toBe("yes");
      expect(h.traceparent).toBe("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
      expect(h["x-hop-only"]).toBeUndefined();
      expect(h.te).toBeUndefined();
    });

    it("generates an X-Request-Id, or keeps a well-formed one", async () => {
      const fresh = await call("/api/proxy/tasks");
      await fresh.text();
      const generated = last().headers["x-request-id"];
      expect(generated).toMatch(/^[0-9a-f-]{36}$/);
      expect(fresh.headers.get("x-request-id")).toBe(generated);
      await (await call("/api/proxy/tasks", { headers: { "x-request-id": "req-123.abc" } })).text();
      expect(last().headers["x-request-id"]).toBe("req-123.abc");
      await (
        await call("/api/proxy/tasks", { headers: { "x-request-id": "bad id <script>" } })
      ).text();
      expect(last().headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    });

    it("sets X-Forwarded-For/Host/Proto itself, the address from the socket", async () => {
      await (await call("/api/proxy/tasks", { headers: { "x-forwarded-for": "6.6.6.6" } })).text();
      const h = last().headers;
      expect(h["x-forwarded-for"]).toBe("127.0.0.1");
      expect(h["x-forwarded-host"]).toBe(`127.0.0.1:${proxy.port}`);
      expect(h["x-forwarded-proto"]).toBe("http");
    });

    it("answers 405 with Allow for TRACE, without contacting the upstream", async () => {
      const before = upstream.seen.length;
      const status = await rawRequest(
        proxy.port,
        `TRACE /api/proxy/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${COOKIE}\r\n\r\n`,
      );
      expect(status).toBe(405);
      expect(upstream.seen.length).toBe(before);
    });

    it("hands nothing under the mount to anything but the proxy", () => {
      expect(proxy.fallback.filter((seen) => /^\/api\/proxy(?:[/?]|$)/.test(seen.url))).toEqual([]);
    });
  },
);
