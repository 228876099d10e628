import http from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";
import { createProxy, type ProxyOptions } from "../src/index.node.js";
import { createFrontDoor } from "../src/node/front-door.js";
import { toNodeListener } from "../src/node/listener.js";
import { listenOn, type TestServer } from "./helpers.js";

export type WsVia = "toNodeListener" | "createFrontDoor";
export const WS_VIAS: WsVia[] = ["toNodeListener", "createFrontDoor"];
export const MOUNT = "/api/proxy";

/** A real `ws` server on 127.0.0.1 that records each handshake it accepts. */
export interface WsUpstream {
  url: string;
  server: WebSocketServer;
  handshakes: http.IncomingMessage[];
  /** TCP connections it received, accepted or not: the canary. */
  connections: number;
  close(): Promise<void>;
}

export async function startWsUpstream(
  onConnection: (socket: WebSocket, req: http.IncomingMessage) => void = echo,
  options: { perMessageDeflate?: boolean } = {},
): Promise<WsUpstream> {
  const httpServer = http.createServer((_req, res) => res.writeHead(404).end());
  const server = new WebSocketServer({
    server: httpServer,
    perMessageDeflate: options.perMessageDeflate ?? false,
    verifyClient: (info: { req: http.IncomingMessage }) => !info.req.url?.startsWith("/reject"),
    handleProtocols: (offered) => (offered.has("chat.v2") ? "chat.v2" : false),
  });
  const world: WsUpstream = {
    url: "",
    server,
    handshakes: [],
    connections: 0,
    close: async () => {
      for (const client of server.clients) client.terminate();
      await new Promise((resolve) => server.close(resolve));
      httpServer.closeAllConnections();
      await new Promise((resolve) => httpServer.close(resolve));
    },
  };
  httpServer.on("connection", () => world.connections++);
  server.on("connection", (socket, req) => {
    world.handshakes.push(req);
    onConnection(socket, req);
  });
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  const { port } = httpServer.address() as { port: number };
  world.url = `http://127.0.0.1:${port}`;
  return world;
}

const echo = (socket: WebSocket) => {
  socket.on("message", (data, binary) => socket.send(data, { binary }));
};

/** A proxy with `websocket` on, served by `via`; the fallback's upgrades are recorded. */
export async function startWsProxy(
  via: WsVia,
  options: Omit<ProxyOptions, "mount">,
): Promise<{ server: TestServer; fallbackUpgrades: string[]; clientSockets: Duplex[] }> {
  const proxy = createProxy({ mount: MOUNT, ...options });
  const fallbackUpgrades: string[] = [];
  const clientSockets: Duplex[] = [];
  let listener: http.RequestListener;
  let upgrade: (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void;
  if (via === "toNodeListener") {
    const node = toNodeListener(proxy);
    listener = node;
    upgrade = node.upgrade;
  } else {
    const door = createFrontDoor({
      proxies: [proxy],
      fallback: {
        request: (_req, res) => res.writeHead(404).end(),
        upgrade(req, socket) {
          fallbackUpgrades.push(req.url ?? "");
          socket.end(
            "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: app\r\n\r\n",
          );
        },
      },
    });
    listener = door.listener;
    upgrade = door.upgrade;
  }
  const server = await listenOn(
    http.createServer(listener).on("upgrade", (req, socket, head) => {
      clientSockets.push(socket);
      upgrade(req, socket, head);
    }),
  );
  return { server, fallbackUpgrades, clientSockets };
}

/** Opens a client WebSocket; resolves once open, rejects with the refusal's status. */
export function openClient(
  url: string,
  options: {
    protocols?: string[];
    headers?: Record<string, string>;
    origin?: string | null;
    perMessageDeflate?: boolean;
  } = {},
): Promise<WebSocket> {
  const origin =
    options.origin === undefined ? new URL(url).origin.replace("ws", "http") : options.origin;
  const socket = new WebSocket(url, options.protocols ?? [], {
    headers: { ...(origin === null ? {} : { origin }), ...options.headers },
    perMessageDeflate: options.perMessageDeflate ?? false,
  });
  return new Promise((resolve, reject) => {
    socket.once("open", () => resolve(socket));
    socket.once("unexpected-response", (_req, res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        reject(new Refused(res.statusCode ?? 0, Buffer.concat(chunks).toString())),
      );
    });
    socket.once("error", reject);
  });
}

export class Refused extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`refused with ${status}`);
  }
  get code(): string {
    return (JSON.parse(this.body) as { code: string }).code;
  }
}

/** Resolves with the close code and reason the client gets. */
export function closed(socket: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => {
    socket.once("close", (code, reason) => resolve({ code, reason: reason.toString() }));
  });
}

export function nextMessage(socket: WebSocket): Promise<string> {
  return new Promise((resolve) => socket.once("message", (data) => resolve(data.toString())));
}
