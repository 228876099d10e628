/**
 * How the proxy talks to the upstream. The core speaks this interface only; `fetchTransport`
 * works in every Fetch-API runtime, `nodeTransport` (from `handoff-bff/node`, the default on Node)
 * uses undici's `Agent.dispatch`, which costs far less per request than `fetch` plus Web streams.
 *
 * A transport must not follow redirects and must reject with a `HandoffError`
 * (`ERR_UPSTREAM_*`, or the error the request body stream failed with). It passes the body
 * bytes and their Content-Encoding on as the upstream sent them; one that cannot help decoding
 * (as `fetch` does) must drop `Content-Encoding` and `Content-Length` to match.
 */
/** Bytes backed by a plain ArrayBuffer, as `BodyInit` accepts them. */
export type Bytes = Uint8Array<ArrayBuffer>;

export interface UpstreamRequest {
  /** The full upstream URL, already checked to be on the configured origin. */
  url: string;
  /** `url`'s origin: the configured upstream's, always. */
  origin: string;
  /** `url`'s path and query, as they go on the request line. */
  path: string;
  method: string;
  /** Lower-case names; values as they will be sent. */
  headers: Record<string, string>;
  /** A whole small body, a stream, or none. */
  body: Bytes | ReadableStream<Uint8Array> | null;
  /** The body's exact length, when known before sending. */
  bodyLength: number | null;
  /** Aborted when the client goes away: the upstream request must then be aborted too. */
  signal: AbortSignal | null;
  /** ms until the response head must have arrived, else `UpstreamTimeoutError`. */
  headersTimeout: number;
  /** ms of silence allowed between response body chunks, else the body stream errors. */
  idleTimeout: number;
  /** The response body is not wanted (HEAD, 204, 304). */
  expectNoBody: boolean;
  /**
   * Told when a response body that was already handed on fails mid-stream (an idle timeout, a
   * reset): the status is sent by then, so this is the only place such a failure is seen.
   */
  onBodyError?: (error: unknown) => void;
}

export interface UpstreamResponse {
  status: number;
  statusText: string;
  /** Lower-case names, one pair per field line, in the order received. */
  headers: Array<[string, string]>;
  body: Bytes | ReadableStream<Uint8Array> | null;
}

/** @see UpstreamRequest */
export type Transport = (request: UpstreamRequest) => Promise<UpstreamResponse>;
