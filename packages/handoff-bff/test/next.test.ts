import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import http from "node:http";
import net from "node:net";
import { fileURLToPath } from "node:url";
import { createGunzip, gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  COOKIE,
  nodeRequest,
  type Seen,
  startUpstream,
  type TestServer,
  TOKEN,
  waitFor,
} from "./helpers.js";

// The adapter in a real Next.js 16 production server (`next build` + `next start`), with the
// route written exactly as the README shows it: examples/next/app/api/proxy/[[...path]]/route.ts.
const packageDir = fileURLToPath(new URL("..", import.meta.url));
const appDir = fileURLToPath(new URL("../../../examples/next", import.meta.url));
const nextBin = fileURLToPath(new URL("../../../node_modules/.bin/next", import.meta.url));

let upstream: TestServer;
let next: ChildProcess;
let frontDoor: ChildProcess;
let base: string;
let doorBase: string;
let port: number;
let sendSecondEvent: () => void = () => {};
let sseClosedAt = 0;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  upstream = await startUpstream((req, res, seen) => {
    if (seen.url === "/sse") {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      res.write("data: first\n\n");
      sendSecondEvent = () => res.end("data: second\n\n");
      return;
    }
    if (seen.url === "/sse-forever") {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("data: hello\n\n");
      const ticker = setInterval(() => res.write(": tick\n\n"), 50);
      res.on("close", () => {
        clearInterval(ticker);
        sseClosedAt = Date.now();
      });
      return;
    }
    if (seen.url === "/gz") {
      const body = gzipSync("zipped ".repeat(500));
      res.writeHead(200, {
        "content-type": "text/plain",
        "content-encoding": "gzip",
        "content-length": body.length,
      });
      return void res.end(body);
    }
    if (seen.url === "/empty") {
      res.writeHead(204, { etag: '"e1"' });
      return void res.end();
    }
    if (seen.url === "/download") {
      res.writeHead(200, {
        "content-type": "application/octet-stream",
        "content-length": 32 * 1024 * 1024,
      });
      const chunk = Buffer.alloc(1024 * 1024, 7);
      let sent = 0;
      const pump = () => {
        while (sent < 32) {
          sent++;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        res.end();
      };
      return pump();
    }
    const body = JSON.stringify({
      method: seen.method,
      url: seen.url,
      sha256: createHash("sha256").update(seen.body).digest("hex"),
      contentType: seen.headers["content-type"] ?? null,
    });
    res.writeHead(200, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
    });
    res.end(req.method === "HEAD" ? undefined : body);
  });
  execFileSync("npm", ["run", "build", "--silent"], { cwd: packageDir, stdio: "inherit" });
  execFileSync(nextBin, ["build"], {
    cwd: appDir,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  port = await freePort();
  base = `http://127.0.0.1:${port}`;
  next = spawn(nextBin, ["start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: appDir,
    stdio: "ignore",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", UPSTREAM_URL: upstream.url },
  });
  await waitFor(() => false, 0).catch(() => {});
  for (let i = 0; i < 200; i++) {
    const up = await fetch(`${base}/api/proxy/ping`).then(
      () => true,
      () => false,
    );
    if (up) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // The same build behind the front door, in a custom server (test/front-door-next.mjs).
  const doorPort = await freePort();
  doorBase = `http://127.0.0.1:${doorPort}`;
  frontDoor = spawn(
    process.execPath,
    [
      fileURLToPath(new URL("front-door-next.mjs", import.meta.url)),
      appDir,
      String(doorPort),
      upstream.url,
    ],
    {
      cwd: appDir,
      stdio: "ignore",
      env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
    },
  );
  for (let i = 0; i < 200; i++) {
    const up = await fetch(`${doorBase}/api/demo/jwks`).then(
      (response) => response.ok,
      () => false,
    );
    if (up) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}, 180_000);

afterAll(async () => {
  next?.kill("SIGTERM");
  frontDoor?.kill("SIGTERM");
  await upstream?.close();
});

const last = () => upstream.seen.at(-1) as Seen;
const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { headers: { cookie: COOKIE, ...headers } });

describe("toNextHandlers in a Next.js production server", () => {
  it("forwards with the bearer token, the raw path encoding, the query and a trailing slash", async () => {
    // Next re-serialises the query before a route handler sees it: `%20` becomes `+` and
    // repeated keys are grouped (docs/configuration.md, "Next.js"). Values and repeats survive.
    await (await get("/api/proxy/files/a%2Fb/c%3Fd/100%25/?x=1&x=2&y=a%2Fb")).text();
    expect(last().url).toBe("/files/a%2Fb/c%3Fd/100%25/?x=1&x=2&y=a%2Fb");
    expect(last().headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(last().headers.cookie).toBeUndefined();
  });

  it("forwards the bare mount to the upstream's base path", async () => {
    await (await get("/api/proxy")).text();
    expect(last().url).toBe("/");
  });

  it("forwards HEAD and OPTIONS as themselves", async () => {
    const head = await fetch(`${base}/api/proxy/tasks`, {
      method: "HEAD",
      headers: { cookie: COOKIE },
    });
    expect(head.status).toBe(200);
    expect(last().method).toBe("HEAD");
    await (
      await fetch(`${base}/api/proxy/tasks`, { method: "OPTIONS", headers: { cookie: COOKIE } })
    ).text();
    expect(last().method).toBe("OPTIONS");
  });

  it("forwards a multipart upload byte for byte", async () => {
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array([0, 255, 13, 10, 45, 45, 1])]), "a.bin");
    const encoded = new Request("http://x/", { method: "POST", body: form });
    const bytes = Buffer.from(await encoded.arrayBuffer());
    const type = encoded.headers.get("content-type") as string;
    const response = await fetch(`${base}/api/proxy/upload`, {
      method: "POST",
      headers: { cookie: COOKIE, "content-type": type },
      body: bytes,
    });
    const echoed = await response.json();
    expect(echoed.contentType).toBe(type);
    expect(echoed.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
  });

  it("delivers SSE events as they are sent even when the browser accepts gzip", async () => {
    const text = await new Promise<string>((resolve, reject) => {
      const req = http.get(
        `${base}/api/proxy/sse`,
        { headers: { cookie: COOKIE, "accept-encoding": "gzip", accept: "text/event-stream" } },
        (res) => {
          const stream =
            res.headers["content-encoding"] === "gzip" ? res.pipe(createGunzip()) : res;
          let seen = "";
          stream.on("data", (chunk: Buffer) => {
            seen += chunk.toString();
            // The upstream sends the second event only after the first arrived here.
            if (seen === "data: first\n\n") sendSecondEvent();
          });
          stream.on("end", () => resolve(seen));
          stream.on("error", reject);
        },
      );
      req.on("error", reject);
    });
    expect(text).toBe("data: first\n\ndata: second\n\n");
  });

  it("aborts the upstream stream within a second of the browser going away", async () => {
    sseClosedAt = 0;
    const controller = new AbortController();
    const response = await get("/api/proxy/sse-forever");
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    const abortedAt = Date.now();
    await reader.cancel();
    controller.abort();
    await waitFor(() => sseClosedAt > 0, 1000);
    expect(sseClosedAt - abortedAt).toBeLessThan(1000);
  });

  it("keeps Content-Encoding consistent with the bytes, though Next drops the header", async () => {
    for (const acceptEncoding of ["gzip", "identity"]) {
      const response = await nodeRequest(`${base}/api/proxy/gz`, {
        headers: { cookie: COOKIE, "accept-encoding": acceptEncoding },
      });
      expect(last().headers["accept-encoding"]).toBe("identity");
      const encoding = response.headers["content-encoding"];
      const decoded = encoding === "gzip" ? gunzipSync(response.body) : response.body;
      expect(decoded.toString()).toBe("zipped ".repeat(500));
    }
  });

  it("answers 204 with its headers and no body", async () => {
    const response = await get("/api/proxy/empty");
    expect(response.status).toBe(204);
    expect(response.headers.get("etag")).toBe('"e1"');
  });

  it("streams a 32 MiB download whole", async () => {
    const response = await get("/api/proxy/download");
    expect((await response.arrayBuffer()).byteLength).toBe(32 * 1024 * 1024);
  });

  it("lets a same-origin browser request through and refuses a cross-site one", async () => {
    const same = await fetch(`${base}/api/proxy/tasks`, {
      method: "POST",
      headers: { cookie: COOKIE, origin: base, "sec-fetch-site": "same-origin" },
      body: "{}",
    });
    expect(same.status).toBe(200);
    const before = upstream.seen.length;
    const cross = await fetch(`${base}/api/proxy/tasks`, {
      method: "POST",
      headers: { cookie: COOKIE, origin: "http://127.0.0.1:1", "sec-fetch-site": "cross-site" },
      body: "{}",
    });
    expect(cross.status).toBe(403);
    expect(upstream.seen.length).toBe(before);
  });

  it("answers 401 problem+json without a session", async () => {
    const response = await fetch(`${base}/api/proxy/tasks`);
    expect(response.status).toBe(401);
    expect((await response.json()).code).toBe("ERR_UNAUTHENTICATED");
  });
});

describe("the front door before a Next.js production server (serveWithNext)", () => {
  it("serves a Next page through the front door", async () => {
    const response = await fetch(`${doorBase}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(await response.text()).toContain("<h1>Handoff</h1>");
  });

  it("serves a Next route handler through the front door", async () => {
    const before = upstream.seen.length;
    const response = await fetch(`${doorBase}/api/demo/session`, { method: "POST" });
    expect(response.status).toBe(204);
    expect(response.headers.getSetCookie().join()).toMatch(/^auth_token=.+HttpOnly/i);
    const jwks = await fetch(`${doorBase}/api/demo/jwks`);
    expect(jwks.status).toBe(200);
    expect(upstream.seen.length).toBe(before);
  });

  it("sends /api/proxy/... to the proxy without touching Next", async () => {
    // Next would regroup the query (x=1&x=3&y=2) and send no X-Forwarded-For (see the route
    // handler tests above); the front door keeps the bytes and knows the socket.
    const response = await nodeRequest(`${doorBase}/api/proxy/files/a%2Fb/?x=1&y=%20z&x=3`, {
      headers: { cookie: COOKIE, "x-forwarded-for": "6.6.6.6" },
    });
    expect(response.status).toBe(200);
    expect(last().url).toBe("/files/a%2Fb/?x=1&y=%20z&x=3");
    expect(last().headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(last().headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(last().headers.cookie).toBeUndefined();
  });

  it("refuses an ambiguous path under the mount itself, with problem+json", async () => {
    const before = upstream.seen.length;
    const response = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(new URL(doorBase).port), "127.0.0.1", () =>
        socket.write("GET /api/proxy/a/%2e%2e/b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
      );
      let data = "";
      socket.on("data", (chunk) => {
        data += chunk.toString("latin1");
      });
      socket.on("error", reject);
      socket.on("close", () => resolve(data));
    });
    expect(response).toMatch(/^HTTP\/1\.1 400 /);
    expect(response).toContain('"code":"ERR_AMBIGUOUS_PATH"');
    expect(upstream.seen.length).toBe(before);
  });
});
