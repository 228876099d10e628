/**
 * WebSockets on the Node server: the `upgrade` event's requests go through the app like any
 * other (request id, log line, bearer check, problem+json), and a route that wants the socket
 * says so through `c.env.upgrade`; anything else it answers is written back on the socket, so a
 * refused upgrade reads exactly as the REST routes' refusals do. The handshake itself is `ws`'s.
 */
import { type IncomingMessage, type Server, STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import { NotReadyError } from "./errors.js";

/** What an upgrade request offers the route it reaches, as `c.env.upgrade`. */
export interface WebSocketUpgrade {
  /**
   * Takes the connection: `open` is called with the socket once the handshake is done, `abort`
   * instead when it never completes (a malformed handshake, the client gone).
   */
  accept(open: (socket: WebSocket) => void, abort: () => void): void;
}

/** Anything with a Fetch-style handler that passes `env` to its routes, such as a Hono app. */
interface UpgradeApp {
  fetch(request: Request, env: { upgrade?: WebSocketUpgrade }): Response | Promise<Response>;
}

/** The sockets of one server. */
export interface WebSocketHub {
  /** Refuses new upgrades (503) and closes open sockets with 1001 "going away" (RFC 6455 §7.4.1). */
  drain(): void;
  /** Cuts whatever socket is still open. */
  terminate(): void;
}

/**
 * A client's frame may be 1 KiB at most: the feeds expect nothing from clients, and `ws` closes
 * with 1009 past it (RFC 6455 §7.4.1) instead of buffering its default 100 MiB.
 */
const MAX_PAYLOAD = 1024;

/** RFC 9110 §7.6.1: connection-specific fields, meaningless on a connection we close. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade"]);

/**
 * Handles `server`'s upgrade requests with `app`.
 *
 * @example
 * ```ts
 * const sockets = acceptWebSockets(server, app);
 * process.once("SIGTERM", () => sockets.drain());
 * ```
 */
export function acceptWebSockets(server: Server, app: UpgradeApp): WebSocketHub {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD });
  let draining = false;
  server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => {});
    if (draining) return void answer(socket, new NotReadyError().toResponse(), request.method);
    let accepted: Parameters<WebSocketUpgrade["accept"]> | undefined;
    const upgrade: WebSocketUpgrade = {
      accept: (...callbacks) => {
        accepted = callbacks;
      },
    };
    const websocket = request.headers.upgrade?.toLowerCase() === "websocket";
    void (async () => app.fetch(toRequest(request), websocket ? { upgrade } : {}))()
      .then((response) => {
        if (accepted === undefined) return answer(socket, response, request.method);
        const [open, abort] = accepted;
        if (socket.destroyed) return abort();
        socket.once("close", abort);
        wss.handleUpgrade(request, socket, head, (ws) => {
          socket.off("close", abort);
          open(ws);
        });
      })
      .catch(() => socket.destroy());
  });
  return {
    drain() {
      draining = true;
      for (const ws of wss.clients) ws.close(1001);
    },
    terminate() {
      for (const ws of wss.clients) ws.terminate();
    },
  };
}

/** The upgrade request as the app reads any other. */
function toRequest(incoming: IncomingMessage): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    for (const one of Array.isArray(value) ? value : [value ?? ""]) headers.append(name, one);
  }
  const url = new URL(incoming.url ?? "/", `http://${incoming.headers.host ?? "localhost"}`);
  return new Request(url, { method: incoming.method, headers });
}

/** Writes the app's answer on the raw socket, then closes it (no keep-alive after an upgrade). */
async function answer(socket: Duplex, response: Response, method: string | undefined) {
  let head = `HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ""}\r\n`;
  response.headers.forEach((value, name) => {
    if (!HOP_BY_HOP.has(name)) head += `${name}: ${value}\r\n`;
  });
  // 426 must say what to upgrade to (RFC 9110 §15.5.22); no other answer names a protocol.
  const upgrade = response.headers.get("upgrade");
  if (upgrade !== null) head += `upgrade: ${upgrade}\r\n`;
  socket.write(`${head}connection: close\r\n\r\n`);
  if (response.body !== null && method !== "HEAD") {
    // Read as it comes: the answer may be a stream, delimited by the close (RFC 9112 §6.3).
    const reader = response.body.getReader();
    socket.once("close", () => void reader.cancel().catch(() => {}));
    for (;;) {
      const { done, value } = await reader.read();
      if (done || socket.destroyed) break;
      socket.write(value);
    }
  } else await response.body?.cancel();
  socket.end();
}
