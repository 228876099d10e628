import http from "node:http";
import https from "node:https";
import {
  HandoffError,
  RequestBodyError,
  UpstreamFailedError,
  UpstreamTimeoutError,
  UpstreamUnreachableError,
} from "../errors.js";
import type { Bytes, Transport, UpstreamRequest, UpstreamResponse } from "../proxy/transport.js";

/** Socket errors that mean the request never reached the upstream. */
const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/** Bodies up to this size with a Content-Length are collected whole: one chunk, no stream. */
const SMALL_BODY = 64 * 1024;

export interface NodeTransportOptions {
  /**
   * Most sockets kept open per upstream host.
   * @default 256
   */
  maxSockets?: number;
  /**
   * ms an idle keep-alive socket is kept. Below Node's own 5 s server keep-alive timeout, so
   * the client closes first and does not race the server's close.
   * @default 4000
   */
  keepAliveMs?: number;
}

/**
 * A transport on `node:http` / `node:https` with a keep-alive agent. It skips `fetch`'s
 * per-request machinery (Request objects, body mixins, decompression), hands small bodies of
 * known length over whole, and streams everything else with backpressure.
 *
 * @example
 * ```ts
 * import { createProxy, nodeTransport } from "handoff";
 * createProxy({ upstream, mount, token, transport: nodeTransport({ maxSockets: 64 }) });
 * ```
 */
export function nodeTransport(options: NodeTransportOptions = {}): Transport {
  const agentOptions = {
    keepAlive: true,
    maxSockets: options.maxSockets ?? 256,
    timeout: options.keepAliveMs ?? 4000,
    scheduling: "lifo" as const,
  };
  const agents = { "http:": new http.Agent(agentOptions), "https:": new https.Agent(agentOptions) };
  return (request) => send(request, agents, true);
}

function send(
  request: UpstreamRequest,
  agents: { "http:": http.Agent; "https:": https.Agent },
  mayRetry: boolean,
): Promise<UpstreamResponse> {
  const url = new URL(request.url);
  const secure = url.protocol === "https:";
  const headers: Record<string, string> = request.headers;
  if (request.bodyLength !== null) headers["content-length"] = String(request.bodyLength);
  return new Promise<UpstreamResponse>((resolve, reject) => {
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      cleanup();
      outgoing.destroy();
      reject(error);
    };
    const outgoing = (secure ? https : http).request({
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port,
      path: url.pathname + url.search,
      method: request.method,
      headers,
      agent: agents[secure ? "https:" : "http:"],
    });
    const headTimer = setTimeout(
      () => fail(new UpstreamTimeoutError(request.headersTimeout)),
      request.headersTimeout,
    );
    const onClientAbort = () => fail(request.signal?.reason ?? new Error("client aborted"));
    request.signal?.addEventListener("abort", onClientAbort, { once: true });
    const cleanup = () => {
      clearTimeout(headTimer);
      request.signal?.removeEventListener("abort", onClientAbort);
    };

    outgoing.on("error", (error: NodeJS.ErrnoException) => {
      if (settled) return;
      // A keep-alive socket the upstream closed just as it was reused: safe to send once more
      // when the body can be sent again (nothing, or bytes still in hand).
      if (
        mayRetry &&
        outgoing.reusedSocket &&
        error.code === "ECONNRESET" &&
        !(request.body instanceof ReadableStream)
      ) {
        settled = true;
        cleanup();
        send(request, agents, false).then(resolve, reject);
        return;
      }
      fail(mapSocketError(error));
    });

    outgoing.on("response", (incoming) => {
      if (settled) {
        incoming.destroy();
        return;
      }
      clearTimeout(headTimer);
      const status = incoming.statusCode ?? 502;
      const result: UpstreamResponse = {
        status,
        statusText: incoming.statusMessage ?? "",
        headers: pairs(incoming.rawHeaders),
        body: null,
      };
      if (request.expectNoBody) {
        incoming.resume();
        settled = true;
        cleanup();
        resolve(result);
        return;
      }
      const length = Number(incoming.headers["content-length"] ?? Number.NaN);
      if (length <= SMALL_BODY && !incoming.headers["content-type"]?.includes("event-stream")) {
        collect(incoming, request.idleTimeout, (error, bytes) => {
          if (settled) return;
          if (error || bytes === undefined) return fail(error);
          settled = true;
          cleanup();
          result.body = bytes;
          resolve(result);
        });
        return;
      }
      settled = true;
      result.body = streamOf(incoming, outgoing, request.idleTimeout, cleanup, request.signal);
      resolve(result);
    });

    writeBody(outgoing, request.body).catch((error: unknown) => {
      fail(error instanceof HandoffError ? error : new RequestBodyError(error));
    });
  });
}

function mapSocketError(error: NodeJS.ErrnoException): HandoffError {
  if (error.code !== undefined && UNREACHABLE.has(error.code)) {
    return new UpstreamUnreachableError(error);
  }
  return new UpstreamFailedError(error);
}

async function writeBody(
  outgoing: http.ClientRequest,
  body: UpstreamRequest["body"],
): Promise<void> {
  if (body === null) {
    outgoing.end();
    return;
  }
  if (body instanceof Uint8Array) {
    outgoing.end(body);
    return;
  }
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (outgoing.destroyed) {
        await reader.cancel();
        return;
      }
      if (!outgoing.write(value)) await drained(outgoing);
    }
    outgoing.end();
  } catch (error) {
    await reader.cancel(error).catch(() => {});
    throw error;
  }
}

function drained(outgoing: http.ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      outgoing.off("drain", done);
      outgoing.off("close", done);
      resolve();
    };
    outgoing.on("drain", done);
    outgoing.on("close", done);
  });
}

function pairs(raw: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    out.push([(raw[i] as string).toLowerCase(), raw[i + 1] as string]);
  }
  return out;
}

/** Reads a small body whole, with the idle timeout applied between chunks. */
function collect(
  incoming: http.IncomingMessage,
  idleMs: number,
  done: (error: unknown, bytes?: Bytes) => void,
): void {
  const chunks: Buffer[] = [];
  const timer = setTimeout(() => {
    incoming.destroy();
    done(new UpstreamTimeoutError(idleMs));
  }, idleMs);
  incoming.on("data", (chunk: Buffer) => {
    chunks.push(chunk);
    timer.refresh();
  });
  incoming.on("end", () => {
    clearTimeout(timer);
    done(null, (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)) as Bytes);
  });
  incoming.on("error", (error) => {
    clearTimeout(timer);
    done(new UpstreamFailedError(error));
  });
  incoming.on("aborted", () => {
    clearTimeout(timer);
    done(new UpstreamFailedError(new Error("upstream closed the response early")));
  });
}

/**
 * Wraps the upstream response in a Web stream with backpressure: the socket is paused while
 * the consumer's queue is full, so a slow client slows the upstream instead of filling memory.
 */
function streamOf(
  incoming: http.IncomingMessage,
  outgoing: http.ClientRequest,
  idleMs: number,
  cleanup: () => void,
  signal: AbortSignal | null,
): ReadableStream<Uint8Array> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let finished = false;
  const finish = () => {
    finished = true;
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    cleanup();
  };
  const onAbort = () => {
    finish();
    outgoing.destroy();
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        // The headers timer is cleared; from here the client's abort is handled here.
        cleanup();
        signal?.addEventListener("abort", onAbort, { once: true });
        timer = setTimeout(() => {
          finish();
          controller.error(new UpstreamTimeoutError(idleMs));
          outgoing.destroy();
        }, idleMs);
        incoming.on("data", (chunk: Buffer) => {
          if (finished) return;
          timer?.refresh();
          controller.enqueue(chunk);
          if ((controller.desiredSize ?? 0) <= 0) incoming.pause();
        });
        incoming.on("end", () => {
          if (finished) return;
          finish();
          controller.close();
        });
        incoming.on("aborted", () => {
          if (finished) return;
          finish();
          controller.error(
            new UpstreamFailedError(new Error("upstream closed the response early")),
          );
        });
        incoming.on("error", (error) => {
          if (finished) return;
          finish();
          controller.error(new UpstreamFailedError(error));
        });
      },
      pull() {
        incoming.resume();
      },
      cancel() {
        finish();
        outgoing.destroy();
      },
    },
    { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
  );
}
