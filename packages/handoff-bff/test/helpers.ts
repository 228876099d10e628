import http from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import { createProxy as createFetchProxy } from "../src/index.js";
import { createProxy as createNodeProxy } from "../src/index.node.js";
import { createFrontDoor } from "../src/node/front-door.js";
import { toNodeListener } from "../src/node/listener.js";
import type { HandoffProxy, ProxyOptions } from "../src/proxy/index.js";

/** What an upstream saw of one request. */
export interface Seen {
  method: string;
  /** The request-target exactly as it arrived on the wire. */
  url: string;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}

export interface TestServer {
  url: string;
  port: number;
  seen: Seen[];
  close(): Promise<void>;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen) => void;

/** A real HTTP server on 127.0.0.1 that records every request it gets, body included. */
export async function startUpstream(handler: Handler = echo): Promise<TestServer> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    const record: Seen = {
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      body: Buffer.alloc(0),
    };
    seen.push(record);
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      record.body = Buffer.concat(chunks);
      handler(req, res, record);
    });
  });
  return listen(server, seen);
}

/** The default upstream: answers JSON describing the request. */
const echo: Handler = (_req, res, seen) => {
  const body = JSON.stringify({ method: seen.method, url: seen.url, length: seen.body.length });
  res.writeHead(200, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
};

/** A server with a raw handler (no body collection): streams, slow peers, resets. */
export async function startRawUpstream(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<TestServer> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    seen.push({
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      body: Buffer.alloc(0),
    });
    handler(req, res);
  });
  return listen(server, seen);
}

async function listen(server: http.Server, seen: Seen[]): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export type Flavour = "node" | "fetch";
export const FLAVOURS: Flavour[] = ["node", "fetch"];

/** How the proxy is served: `toNodeListener` alone, or `createFrontDoor` before a fallback. */
export type Via = "listener" | "front door";

/**
 * The servings the conformance and security suites run over. The front door runs with the
 * Node transport only: it chooses where a request goes, not how it is sent upstream.
 */
export const SERVINGS: Array<{ flavour: Flavour; via: Via }> = [
  { flavour: "node", via: "listener" },
  { flavour: "fetch", via: "listener" },
  { flavour: "node", via: "front door" },
];

export function makeProxy(flavour: Flavour, options: ProxyOptions): HandoffProxy {
  return flavour === "node" ? createNodeProxy(options) : createFetchProxy(options);
}

/**
 * The proxy behind a real `node:http` server on 127.0.0.1, as an app would serve it: through
 * `toNodeListener`, or through `createFrontDoor` with {@link recordingFallback} behind it
 * (whose requests are then in `fallback`).
 */
export async function startProxy(
  flavour: Flavour,
  options: ProxyOptions,
  via: Via = "listener",
): Promise<TestServer & { proxy: HandoffProxy; fallback: Seen[] }> {
  const proxy = makeProxy(flavour, options);
  const fallback: Seen[] = [];
  const server =
    via === "listener"
      ? http.createServer(toNodeListener(proxy))
      : http.createServer(
          createFrontDoor({ proxies: [proxy], fallback: recordingFallback(fallback) }).listener,
        );
  const started = await listen(server, []);
  return { ...started, proxy, fallback };
}

/**
 * A stand-in for Next.js behind the front door: records each request whole (body read to the
 * end) and answers 404 with `X-Fallback: 1`, so a test can tell who answered.
 */
export function recordingFallback(seen: Seen[]): {
  request(req: http.IncomingMessage, res: http.ServerResponse): void;
} {
  return {
    request(req, res) {
      const chunks: Buffer[] = [];
      const record: Seen = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body: Buffer.alloc(0),
      };
      seen.push(record);
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        record.body = Buffer.concat(chunks);
        res.writeHead(404, { "content-type": "text/plain", "x-fallback": "1" });
        res.end("fallback");
      });
    },
  };
}

/** Starts any `node:http` server on 127.0.0.1 (closing destroys its open sockets). */
export function listenOn(server: http.Server): Promise<TestServer> {
  return listen(server, []);
}

/** Sends raw bytes and returns the raw response head's status (0 when the peer hung up). */
export function rawRequest(port: number, raw: string, timeoutMs = 5000): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let data = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to ${JSON.stringify(raw.slice(0, 80))}`));
    }, timeoutMs);
    socket.on("connect", () => socket.write(raw));
    socket.on("data", (chunk) => {
      data += chunk.toString("latin1");
      const match = /^HTTP\/1\.1 (\d{3})/.exec(data);
      if (match) {
        clearTimeout(timer);
        socket.destroy();
        resolve(Number(match[1]));
      }
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(0);
    });
  });
}

/** Sends raw bytes with `Connection: close` semantics and returns the whole raw response. */
export function rawExchange(port: number, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.write(raw));
    let data = "";
    socket.setTimeout(5000, () => {
      socket.destroy();
      reject(new Error("no answer"));
    });
    socket.on("data", (chunk) => {
      data += chunk.toString("latin1");
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(data));
  });
}

/** A request through `node:http`, which (unlike fetch) lets a test set any header at all. */
export function nodeRequest(
  url: string,
  options: { method?: string; headers?: http.OutgoingHttpHeaders; body?: Buffer } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? "GET", headers: options.headers });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

export const TOKEN = "tok_3b1f9c0e-secret-bearer";
export const COOKIE = `auth_token=${TOKEN}; theme=dark`;

export function waitFor(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (check()) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error("condition not met in time"));
      setTimeout(tick, 10);
    };
    tick();
  });
}
