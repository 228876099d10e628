import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { AmbiguousPathError, MethodNotAllowedError } from "../errors.js";
import type { HandoffProxy } from "../proxy/create-proxy.js";
import { DEFAULT_METHODS as ALLOWED } from "../proxy/options.js";
import { writeResponse } from "./write-response.js";

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
 * http.createServer(toNodeListener(proxy)).listen(3000, "127.0.0.1");
 * ```
 */
export function toNodeListener(
  proxy: HandoffProxy,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return (req, res) => serveProxy(proxy, req, res, false);
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
  let request: Request;
  try {
    request = toRequest(req, abort.signal, trustForwarded);
  } catch {
    // `new Request` refuses the forbidden methods (Fetch §2.2.1: CONNECT, TRACE, TRACK) and
    // a URL it cannot parse, such as one built from a malformed Host header.
    const method = req.method ?? "";
    const refusal = FORBIDDEN_METHODS.has(method.toUpperCase())
      ? new MethodNotAllowedError(method, ALLOWED)
      : new AmbiguousPathError("could not be read as a URL with its Host header");
    await writeResponse(refusal.toResponse(), res);
    return;
  }
  const response = await proxy.handle(request, {
    rawTarget: req.url,
    ...(req.socket.remoteAddress ? { clientAddress: req.socket.remoteAddress } : {}),
  });
  await writeResponse(response, res, abort.signal);
}

function toRequest(req: IncomingMessage, signal: AbortSignal, trustForwarded: boolean): Request {
  const host = req.headers.host ?? "localhost";
  // Only the two schemes are taken from the header: anything else would change the URL's shape.
  const forwarded = trustForwarded
    ? String(req.headers["x-forwarded-proto"] ?? "")
        .split(",")[0]
        ?.trim()
        .toLowerCase()
    : undefined;
  const scheme =
    forwarded === "https" || forwarded === "http"
      ? forwarded
      : (req.socket as { encrypted?: boolean }).encrypted
        ? "https"
        : "http";
  // Prefixing the origin (instead of `new URL(req.url, base)`) keeps a request-target such as
  // `//other.host/x` a path: resolved as a relative URL it would change the host.
  const target = req.url as string;
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
  }
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  return new Request(`${scheme}://${host}${target}`, {
    method,
    headers,
    signal,
    ...(hasBody
      ? ({ body: Readable.toWeb(req) as ReadableStream, duplex: "half" } as RequestInit)
      : {}),
  });
}
