import type { Bytes } from "./transport.js";

/** The headers the request path reads: a Fetch `Headers`, or an adapter's equivalent. */
export interface HeaderReader extends Iterable<[string, string]> {
  get(name: string): string | null;
}

/**
 * What the request path reads of a request. `handle` wraps a `Request`; the Node adapter reads
 * the IncomingMessage itself and builds the `Request` only when something asks for it (a token
 * source of the app's, the `headers` hook, a rate limit, a body to forward). A GET with
 * `cookieToken` never does: a `Request` and its `Headers` cost more than the checks on them.
 */
export interface Incoming {
  readonly method: string;
  /** As a `Headers` built from the request would read: lower-case names, sorted, joined. */
  readonly headers: HeaderReader;
  readonly signal: AbortSignal | null;
  /** The URL's scheme with its colon (`"https:"`) and its host, as `new URL(request.url)`. */
  readonly protocol: string;
  readonly host: string;
  url(): URL;
  request(): Request;
}

/** The answer before it becomes a `Response`: an adapter that writes bytes itself takes it so. */
export interface ClientAnswer {
  status: number;
  /** Lower-case names, in the upstream's order; values as a `Headers` would accept them. */
  headers: Array<[string, string]>;
  body: Bytes | ReadableStream<Uint8Array> | null;
}

/**
 * The key under which a proxy offers its request path over an {@link Incoming}. A symbol of
 * this copy of Handoff: a proxy from another copy is served through `handle`, as before.
 */
export const SERVE_INCOMING = Symbol("handoff.serveIncoming");

/**
 * Carried by a token source that reads request headers only (`cookieToken`): the request path
 * then calls this instead of the source, with no `Request` built for it.
 */
export const READS_HEADERS = Symbol("handoff.readsHeaders");

export type HeaderTokenReader = (headers: HeaderReader) => string | null;

/** A `Request` as an {@link Incoming}; its URL is parsed on first use, inside the checks. */
export function incomingOf(request: Request): Incoming {
  let url: URL | undefined;
  return {
    method: request.method,
    headers: request.headers,
    signal: request.signal ?? null,
    get protocol() {
      return this.url().protocol;
    },
    get host() {
      return this.url().host;
    },
    url: () => {
      url ??= new URL(request.url);
      return url;
    },
    request: () => request,
  };
}
