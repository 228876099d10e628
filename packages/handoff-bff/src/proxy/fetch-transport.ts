import {
  HandoffError,
  RequestBodyError,
  UnsupportedEncodingError,
  UpstreamFailedError,
  UpstreamTimeoutError,
  UpstreamUnreachableError,
} from "../errors.js";
import { UNREACHABLE_CODES } from "../lib/unreachable.js";
import type { Transport, UpstreamResponse } from "./transport.js";

/** Content codings every `fetch` implementation decodes on its own (Fetch §4.6 step 16). */
const DECODED = new Set(["gzip", "x-gzip", "deflate", "br"]);

/**
 * A transport on the runtime's global `fetch`: Deno, Bun, Cloudflare Workers, edge runtimes.
 * `fetch` decodes compressed bodies itself and keeps the headers that describe the encoded
 * form, so this transport asks the upstream for `identity`; should it compress anyway with a
 * single coding every `fetch` decodes (gzip, deflate, br), `Content-Encoding` and
 * `Content-Length` are dropped to match the decoded bytes, and any other coding (`zstd`, a
 * stacked `gzip, br`) is refused with 502 `ERR_UPSTREAM_ENCODING` rather than garbled.
 *
 * @example
 * ```ts
 * createProxy({ upstream, mount: "/api/proxy", token, transport: fetchTransport });
 * ```
 */
export const fetchTransport: Transport = async (request) => {
  const controller = new AbortController();
  const onClientAbort = () => controller.abort(request.signal?.reason);
  request.signal?.addEventListener("abort", onClientAbort, { once: true });
  const timer = setTimeout(
    () => controller.abort(new UpstreamTimeoutError(request.headersTimeout)),
    request.headersTimeout,
  );
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: { ...request.headers, "accept-encoding": "identity" },
      body: request.body,
      redirect: "manual",
      signal: controller.signal,
      // Required by the Fetch spec for a streamed request body.
      ...({ duplex: "half" } as RequestInit),
    });
  } catch (error) {
    request.signal?.removeEventListener("abort", onClientAbort);
    throw mapFetchError(error, controller.signal);
  } finally {
    clearTimeout(timer);
  }
  const headers: Array<[string, string]> = [];
  const coding = response.headers.get("content-encoding")?.trim().toLowerCase() ?? "identity";
  const decoded = coding !== "identity" && coding !== "";
  if (decoded && !DECODED.has(coding)) {
    request.signal?.removeEventListener("abort", onClientAbort);
    controller.abort();
    throw new UnsupportedEncodingError();
  }
  for (const [name, value] of response.headers) {
    if (decoded && (name === "content-encoding" || name === "content-length")) continue;
    if (name === "set-cookie") continue;
    headers.push([name, value]);
  }
  for (const cookie of response.headers.getSetCookie()) headers.push(["set-cookie", cookie]);
  const result: UpstreamResponse = {
    status: response.status,
    statusText: response.statusText,
    headers,
    body: null,
  };
  if (request.expectNoBody || response.body === null) {
    await response.body?.cancel();
    request.signal?.removeEventListener("abort", onClientAbort);
    return result;
  }
  result.body = withIdleTimeout(
    response.body,
    request.idleTimeout,
    controller,
    () => request.signal?.removeEventListener("abort", onClientAbort),
    request.onBodyError,
  );
  return result;
};

function mapFetchError(error: unknown, signal: AbortSignal): unknown {
  if (signal.aborted) {
    return signal.reason instanceof HandoffError ? signal.reason : (signal.reason ?? error);
  }
  // A body stream that failed (the size limit, a client that went away) surfaces as the cause.
  const cause = (error as { cause?: unknown })?.cause;
  if (cause instanceof HandoffError) return cause;
  const code = (cause as { code?: unknown })?.code;
  if (typeof code === "string" && UNREACHABLE_CODES.has(code))
    return new UpstreamUnreachableError(error);
  if (error instanceof TypeError && /body|stream/i.test(String(cause))) {
    return new RequestBodyError(error);
  }
  return new UpstreamFailedError(error);
}

/** Errors the stream when the upstream stays silent for `ms`, and aborts the upstream. */
function withIdleTimeout(
  body: ReadableStream<Uint8Array>,
  ms: number,
  controller: AbortController,
  done: () => void,
  onBodyError: ((error: unknown) => void) | undefined,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failed = false;
  const fail = (stream: ReadableStreamDefaultController<Uint8Array>, error: unknown) => {
    if (failed) return;
    failed = true;
    const reported = error instanceof HandoffError ? error : new UpstreamFailedError(error);
    onBodyError?.(reported);
    stream.error(reported);
  };
  return new ReadableStream<Uint8Array>({
    async pull(stream) {
      timer = setTimeout(() => {
        const error = new UpstreamTimeoutError(ms);
        fail(stream, error);
        controller.abort(error);
      }, ms);
      try {
        const { done: ended, value } = await reader.read();
        if (ended) {
          done();
          stream.close();
        } else stream.enqueue(value);
      } catch (error) {
        done();
        fail(stream, error);
      } finally {
        clearTimeout(timer);
      }
    },
    cancel(reason) {
      clearTimeout(timer);
      failed = true;
      done();
      controller.abort(reason);
      return reader.cancel(reason);
    },
  });
}
