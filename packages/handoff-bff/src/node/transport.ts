import { Agent, type Dispatcher } from "undici";
import {
  HandoffError,
  UpstreamFailedError,
  UpstreamTimeoutError,
  UpstreamUnreachableError,
} from "../errors.js";
import { UNREACHABLE_CODES } from "../lib/unreachable.js";
import type { Bytes, Transport, UpstreamRequest, UpstreamResponse } from "../proxy/transport.js";

/** Errors of a keep-alive socket that the upstream closed just as it was reused. */
const STALE_SOCKET = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET"]);

/** Methods that may be sent twice with the effect of once (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]);

/** Bodies up to this size with a Content-Length are collected whole: one chunk, no stream. */
const SMALL_BODY = 64 * 1024;

/** The consumer's queue holds this much before the upstream socket is paused. */
const HIGH_WATER = 64 * 1024;

export interface NodeTransportOptions {
  /**
   * Most connections kept open per upstream origin.
   * @default 256
   */
  maxSockets?: number;
  /**
   * ms an idle keep-alive connection is kept when the upstream does not say (an upstream's
   * `Keep-Alive: timeout=N` wins, less a margin). Below Node's own 5 s server keep-alive
   * timeout, so the client closes first and does not race the server's close.
   * @default 4000
   */
  keepAliveMs?: number;
}

/**
 * The Node.js transport: undici's `Agent.dispatch`, the lowest-level HTTP/1.1 client Node
 * offers, with keep-alive pools per origin. It creates no `fetch` objects and no Node streams:
 * headers arrive as raw pairs, small bodies of known length are handed over whole, and other
 * bodies are fed into a Web stream whose backpressure pauses the upstream socket.
 *
 * @example
 * ```ts
 * import { createProxy } from "handoff-bff";
 * import { nodeTransport } from "handoff-bff/node";
 *
 * createProxy({ upstream, mount, token, transport: nodeTransport({ maxSockets: 64 }) });
 * ```
 */
export function nodeTransport(options: NodeTransportOptions = {}): Transport {
  const agent = new Agent({
    connections: options.maxSockets ?? 256,
    keepAliveTimeout: options.keepAliveMs ?? 4000,
    pipelining: 1,
    // Set per request from the proxy's options (see send()).
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  return (request) => send(agent, request, true);
}

function send(
  agent: Agent,
  request: UpstreamRequest,
  mayRetry: boolean,
): Promise<UpstreamResponse> {
  return new Promise<UpstreamResponse>((resolve, reject) => {
    const exchange = new Exchange(request, resolve, (error) => {
      const code = (error as { code?: unknown }).code;
      const replayable =
        !exchange.responded &&
        mayRetry &&
        typeof code === "string" &&
        STALE_SOCKET.has(code) &&
        IDEMPOTENT.has(request.method) &&
        !(request.body instanceof ReadableStream);
      if (replayable) send(agent, request, false).then(resolve, reject);
      else reject(mapError(error, request));
    });
    const headers = request.headers;
    if (request.bodyLength !== null) headers["content-length"] = String(request.bodyLength);
    agent.dispatch(
      {
        origin: request.origin,
        path: request.path,
        method: request.method as Dispatcher.HttpMethod,
        headers,
        body: request.body as Dispatcher.DispatchOptions["body"],
        headersTimeout: request.headersTimeout,
        // undici's body timeout is the idle timeout the proxy wants: it restarts on every
        // chunk and does not run while the parser is paused, that is, while a slowly reading
        // client holds the stream back (client-h1.js onParserTimeout).
        bodyTimeout: request.idleTimeout,
      },
      exchange,
    );
  });
}

function mapError(error: Error, request: UpstreamRequest): unknown {
  if (error instanceof HandoffError) return error;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && UNREACHABLE_CODES.has(code))
    return new UpstreamUnreachableError(error);
  if (code === "UND_ERR_HEADERS_TIMEOUT") return new UpstreamTimeoutError(request.headersTimeout);
  if (code === "UND_ERR_BODY_TIMEOUT") return new UpstreamTimeoutError(request.idleTimeout);
  return new UpstreamFailedError(error);
}

/**
 * One request's dispatch handler (undici's callback interface): it settles the promise at the
 * response head (or, for a small body, at its end) and then feeds the body stream.
 */
class Exchange implements Dispatcher.DispatchHandlers {
  responded = false;
  private abort: ((error?: Error) => void) | undefined;
  private settled = false;
  private finished = false;
  private paused = false;
  private resume: (() => void) | undefined;
  private chunks: Buffer[] | undefined;
  private stream: ReadableStreamDefaultController<Uint8Array> | undefined;
  private response: UpstreamResponse | undefined;
  private readonly onClientAbort = () => this.abort?.(new Error("the client went away"));

  constructor(
    private readonly request: UpstreamRequest,
    private readonly resolve: (response: UpstreamResponse) => void,
    private readonly reject: (error: Error) => void,
  ) {
    request.signal?.addEventListener("abort", this.onClientAbort, { once: true });
  }

  onConnect(abort: (error?: Error) => void): void {
    this.abort = abort;
    if (this.request.signal?.aborted) abort(new Error("the client went away"));
  }

  onHeaders(status: number, raw: Buffer[], resume: () => void, statusText: string): boolean {
    if (status < 200) return true; // 1xx informational heads are not the answer
    this.responded = true;
    this.resume = resume;
    const headers: Array<[string, string]> = [];
    let length = Number.NaN;
    let eventStream = false;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = (raw[i] as Buffer).toString("latin1").toLowerCase();
      const value = (raw[i + 1] as Buffer).toString("latin1");
      if (name === "content-length") length = Number(value);
      else if (name === "content-type") eventStream = value.includes("event-stream");
      headers.push([name, value]);
    }
    this.response = { status, statusText, headers, body: null };
    if (this.request.expectNoBody) {
      this.settle();
      return true;
    }
    if (length <= SMALL_BODY && !eventStream) {
      this.chunks = [];
      return true;
    }
    this.response.body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.stream = controller;
        },
        pull: () => {
          if (!this.paused) return;
          this.paused = false;
          this.resume?.();
        },
        cancel: () => {
          this.finish();
          this.abort?.(new Error("the response body was cancelled"));
        },
      },
      { highWaterMark: HIGH_WATER, size: (chunk) => chunk.byteLength },
    );
    this.settle();
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.finished) return true;
    if (this.chunks) {
      this.chunks.push(chunk);
      return true;
    }
    if (!this.stream) return true; // HEAD: nothing is wanted
    this.stream.enqueue(chunk);
    if ((this.stream.desiredSize ?? 0) > 0) return true;
    // A full queue pauses the socket until the next pull; undici's body (idle) timer does not
    // run meanwhile, as a slowly reading client is not a silent upstream.
    this.paused = true;
    return false;
  }

  onComplete(): void {
    if (this.finished) return;
    const response = this.response as UpstreamResponse;
    if (this.chunks) {
      const chunks = this.chunks;
      response.body = (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)) as Bytes;
      this.finish();
      this.settle();
      return;
    }
    this.finish();
    this.stream?.close();
  }

  onError(error: Error): void {
    if (this.finished) return;
    this.finish();
    if (!this.settled) {
      this.settled = true;
      this.reject(error);
      return;
    }
    const mapped = mapError(error, this.request);
    const failure = mapped instanceof HandoffError ? mapped : new UpstreamFailedError(error);
    this.request.onBodyError?.(failure);
    this.stream?.error(failure);
  }

  onUpgrade(): void {
    // The proxy drops `Upgrade`, so no upstream can switch protocols on it.
    this.onError(new UpstreamFailedError(new Error("unexpected protocol upgrade")));
  }

  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    if (this.finished || this.request.expectNoBody) {
      this.request.signal?.removeEventListener("abort", this.onClientAbort);
    }
    this.resolve(this.response as UpstreamResponse);
  }

  private finish(): void {
    this.finished = true;
    this.request.signal?.removeEventListener("abort", this.onClientAbort);
  }
}
