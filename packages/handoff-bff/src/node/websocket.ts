import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import type { Duplex } from "node:stream";
import {
  AmbiguousPathError,
  HandoffError,
  InternalError,
  RequestBodyError,
  UpstreamFailedError,
  UpstreamTimeoutError,
  UpstreamUnreachableError,
} from "../errors.js";
import type { HandoffProxy } from "../proxy/create-proxy.js";
import type { WebSocketGate, WebSocketGrant } from "../proxy/websocket.js";
import { relay } from "./ws-relay.js";

/** Upstream 101 headers the client gets: the handshake's own (RFC 6455 §4.2.2, §9.1, §1.9). */
const ANSWERED = ["sec-websocket-accept", "sec-websocket-protocol", "sec-websocket-extensions"];

/** Whether an upgrade asks for a WebSocket (RFC 6455 §4.1: `Upgrade: websocket`, any case). */
export function isWebSocketUpgrade(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? "")
    .split(",")
    .some((token) => token.trim().toLowerCase() === "websocket");
}

/**
 * Serves one WebSocket handshake for a proxy created with `websocket`: the proxy's checks
 * (path, `Origin`, session), then the upstream's handshake with the bearer token, then a byte
 * relay. A refusal is an HTTP problem+json response on the socket, which is then closed.
 */
export async function upgradeWebSocket(
  proxy: HandoffProxy & { websocket: WebSocketGate },
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  trustForwarded: boolean,
): Promise<void> {
  socket.on("error", () => socket.destroy());
  let grant: WebSocketGrant;
  try {
    grant = await proxy.websocket.open(requestOf(req, trustForwarded), {
      rawTarget: req.url ?? "",
      ...(req.socket.remoteAddress ? { clientAddress: req.socket.remoteAddress } : {}),
    });
  } catch (error) {
    await refuse(socket, error);
    return;
  }
  if (socket.destroyed) return;
  connect(grant, socket, head);
}

/** The handshake as a `Request`; throws a HandoffError for what cannot be one. */
function requestOf(req: IncomingMessage, trustForwarded: boolean): Request {
  if (!req.url?.startsWith("/")) throw new AmbiguousPathError("is not an origin-form path");
  // A body after an upgrade's head is never parsed: forwarding it would smuggle a request.
  if (
    req.headers["transfer-encoding"] !== undefined ||
    (req.headers["content-length"] ?? "0") !== "0"
  ) {
    throw new RequestBodyError(new Error("upgrade request with a body"));
  }
  const forwarded = trustForwarded
    ? String(req.headers["x-forwarded-proto"] ?? "")
        .split(",")[0]
        ?.trim()
        .toLowerCase()
    : undefined;
  const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true;
  const scheme =
    forwarded === "https" || forwarded === "http" ? forwarded : encrypted ? "https" : "http";
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
  }
  try {
    // The origin prefixed, never resolved against: `//other.host/x` stays a path.
    return new Request(`${scheme}://${req.headers.host ?? "localhost"}${req.url}`, {
      method: req.method ?? "GET",
      headers,
    });
  } catch {
    throw new AmbiguousPathError("could not be read as a URL with its Host header");
  }
}

/** The upstream's handshake; on its 101 the client's, then the relay. */
function connect(grant: WebSocketGrant, client: Duplex, clientHead: Buffer): void {
  const url = new URL(grant.target.url);
  const request = (url.protocol === "https:" ? https : http).request(url, {
    method: "GET",
    headers: grant.headers,
    // Its own connection: after the 101 it is the relay's, never back in a pool.
    agent: false,
  });
  const onClientGone = () => request.destroy();
  client.once("close", onClientGone);
  const timer = setTimeout(() => {
    request.destroy();
    void refuse(client, new UpstreamTimeoutError(grant.headersTimeout), grant.requestId);
  }, grant.headersTimeout);
  request.on("upgrade", (res: IncomingMessage, upstream: Duplex, upstreamHead: Buffer) => {
    clearTimeout(timer);
    client.off("close", onClientGone);
    if (client.destroyed) {
      upstream.destroy();
      return;
    }
    client.write(switchingProtocols(res, grant));
    relay(client, upstream, { client: clientHead, upstream: upstreamHead }, grant);
  });
  request.on("response", (res: IncomingMessage) => {
    // Not a 101: the upstream refused the WebSocket. Its answer is the upstream's business;
    // the client learns the status only (a browser's WebSocket sees neither).
    clearTimeout(timer);
    res.resume();
    request.destroy();
    void refuse(
      client,
      new UpstreamFailedError(new Error(`refused the upgrade: ${res.statusCode}`)),
      grant.requestId,
    );
  });
  request.on("error", (error) => {
    clearTimeout(timer);
    if (!client.destroyed)
      void refuse(client, new UpstreamUnreachableError(error), grant.requestId);
  });
  request.end();
}

function switchingProtocols(res: IncomingMessage, grant: WebSocketGrant): string {
  const lines = ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade"];
  for (const name of ANSWERED) {
    const value = res.headers[name];
    if (typeof value === "string") lines.push(`${name}: ${value}`);
  }
  for (const cookie of grant.setCookie) lines.push(`set-cookie: ${cookie}`);
  lines.push(`x-request-id: ${grant.requestId}`);
  return `${lines.join("\r\n")}\r\n\r\n`;
}

/** Writes the error as problem+json on the raw socket, then closes it. */
async function refuse(socket: Duplex, error: unknown, requestId?: string): Promise<void> {
  const failure = error instanceof HandoffError ? error : new InternalError(error);
  const response = failure.toResponse(requestId === undefined ? {} : { requestId });
  const body = Buffer.from(await response.arrayBuffer());
  const lines = [`HTTP/1.1 ${response.status} ${http.STATUS_CODES[response.status] ?? ""}`];
  for (const [name, value] of response.headers) lines.push(`${name}: ${value}`);
  lines.push(`content-length: ${body.length}`, "connection: close");
  if (!socket.destroyed)
    socket.end(Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`), body]));
}
