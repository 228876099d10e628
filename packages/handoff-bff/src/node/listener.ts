import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { AmbiguousPathError, MethodNotAllowedError } from "../errors.js";
import type { HandleContext, HandoffProxy, ServableProxy } from "../proxy/create-proxy.js";
import { type Incoming, SERVE_INCOMING } from "../proxy/incoming.js";
import { DEFAULT_METHODS as ALLOWED } from "../proxy/options.js";
import { answerOnSocket } from "./answer-on-socket.js";
import { nodeIncoming, toRequest } from "./incoming.js";
import { isWebSocketUpgrade, upgradeWebSocket } from "./websocket.js";
import { writeAnswer, writeResponse } from "./write-response.js";

/** Methods the Fetch standard forbids in a `Request` (Fetch §2.2.1). */
const FORBIDDEN_METHODS = new Set(["CONNECT", "TRACE", "TRACK"]);

/**
 * Serves a proxy from a `node:http` server (or Express, Connect, Fastify's raw handler):
 * the request streams in, the response streams out with backpressure, and a client that
 * disconnects aborts the upstream request. It also tells the proxy the peer's address, which
 * a Fetch-API `Request` cannot carry, for `X-Forwarded-For`.
 *
 * @example
 * ```ts
 * import http from "node:http";
 * import { createProxy, cookieToken } from "handoff-bff";
 * import { toNodeListener } from "handoff-bff/node";
 *
 * const proxy = createProxy({ upstream: "http://127.0.0.1:8000", token: cookieToken("sid") });
 * const listener = toNodeListener(proxy);
 * http.createServer(listener).on("upgrade", listener.upgrade).listen(3000, "127.0.0.1");
 * ```
 */
export function toNodeListener(proxy: HandoffProxy): NodeListener {
  const listener = (req: IncomingMessage, res: ServerResponse) =>
    serveProxy(proxy, req, res, false);
  return Object.assign(listener, {
    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      const { websocket } = proxy;
      if (websocket && isWebSocketUpgrade(req)) {
        upgradeWebSocket({ ...proxy, websocket }, req, socket, head, false).catch(() =>
          socket.destroy(),
        );
      } else {
        // A server may ignore Upgrade (RFC 9110 §7.8): the proxy drops it, the upstream sees a
        // plain request.
        answerOnSocket(req, socket, head, (res) => serveProxy(proxy, req, res, false));
      }
    },
  });
}

/** What {@link toNodeListener} returns: a request listener, and its `upgrade` handler. */
export interface NodeListener {
  (req: IncomingMessage, res: ServerResponse): Promise<void>;
  /**
   * `server.on("upgrade", listener.upgrade)`: WebSockets for a proxy created with
   * `websocket`; any other upgrade is answered as an ordinary request.
   */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

/**
 * One request through a proxy, the way both `toNodeListener` and `createFrontDoor` serve it:
 * the raw request-target byte for byte, the socket's address for `X-Forwarded-For`.
 * `trustForwarded`: the `Request` URL takes its scheme from `X-Forwarded-Proto` (a reverse
 * proxy in front terminated TLS), as token sources may read it.
 */
export async function serveProxy(
  proxy: HandoffProxy,
  req: IncomingMessage,
  res: ServerResponse,
  trustForwarded: boolean,
): Promise<void> {
  if (!req.url?.startsWith("/")) {
    // Absolute-form or asterisk-form targets (RFC 9112 §3.2.2–4) are for proxies and OPTIONS *.
    await writeResponse(new AmbiguousPathError("is not an origin-form path").toResponse(), res);
    return;
  }
  // The one `close` listener of this response; the body writer adds none that outlive a wait.
  const abort = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) abort.abort(new Error("client closed the connection"));
  });
  const method = fetchMethod(req.method ?? "GET");
  const scheme = schemeOf(req, trustForwarded);
  const context: HandleContext = {
    rawTarget: req.url,
    ...(req.socket.remoteAddress ? { clientAddress: req.socket.remoteAddress } : {}),
  };
  const serve = (proxy as ServableProxy)[SERVE_INCOMING];
  let incoming: Incoming | undefined;
  let request: Request | undefined;
  try {
    // `new Request` refuses the forbidden methods (Fetch §2.2.1: CONNECT, TRACE, TRACK); so
    // does the path without one.
    if (FORBIDDEN_METHODS.has(method.toUpperCase())) throw new TypeError("forbidden method");
    // Prefixing the origin (instead of `new URL(req.url, base)`) keeps a request-target such
    // as `//other.host/x` a path: resolved as a relative URL it would change the host.
    if (serve) incoming = nodeIncoming(req, method, scheme, abort.signal);
    else
      request = toRequest(
        req,
        `${scheme}://${req.headers.host ?? "localhost"}${req.url}`,
        method,
        abort.signal,
      );
  } catch {
    // Refused as `new Request` refuses them: a forbidden method, a header it cannot hold, or
    // a URL it cannot parse, such as one built from a malformed Host header.
    const refusal = FORBIDDEN_METHODS.has(method.toUpperCase())
      ? new MethodNotAllowedError(method, ALLOWED)
      : new AmbiguousPathError("could not be read as a URL with its Host header");
    await writeResponse(refusal.toResponse(), res);
    return;
  }
  // A proxy of this copy of Handoff runs on the IncomingMessage itself; any other HandoffProxy
  // (a wrapper, another copy) through `handle`.
  const answer =
    serve && incoming
      ? await serve(incoming, context)
      : await proxy.handle(request as Request, context);
  await (answer instanceof Response
    ? writeResponse(answer, res, abort.signal)
    : writeAnswer(answer, res, abort.signal));
}

/** Methods `new Request` upper-cases (Fetch §2.2.1: normalize a method); others stay as sent. */
const NORMALIZED_METHODS = new Set(["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"]);

function fetchMethod(method: string): string {
  const upper = method.toUpperCase();
  return NORMALIZED_METHODS.has(upper) ? upper : method;
}

function schemeOf(req: IncomingMessage, trustForwarded: boolean): string {
  // Only the two schemes are taken from the header: anything else would change the URL's shape.
  const forwarded = trustForwarded
    ? String(req.headers["x-forwarded-proto"] ?? "")
        .split(",")[0]
        ?.trim()
        .toLowerCase()
    : undefined;
  return forwarded === "https" || forwarded === "http"
    ? forwarded
    : (req.socket as { encrypted?: boolean }).encrypted
      ? "https"
      : "http";
}
