import { csrfCheck } from "../csrf/check.js";
import {
  ClientAbortedError,
  HandoffError,
  InternalError,
  MethodNotAllowedError,
  TokenSourceError,
  UnauthenticatedError,
  UpstreamFailedError,
} from "../errors.js";
import { type RateLimiter, rateLimiter } from "../rate-limit/limiter.js";
import type { TokenResult, TokenSource } from "../tokens/types.js";
import { type OutgoingBody, outgoingBody } from "./body.js";
import { decodeForRuntime } from "./decode.js";
import {
  type ClientAnswer,
  type HeaderReader,
  type HeaderTokenReader,
  type Incoming,
  incomingOf,
  READS_HEADERS,
  SERVE_INCOMING,
} from "./incoming.js";
import { describeCause, type LogSink, logSink } from "./log.js";
import { type ProxyOptions, resolveOptions } from "./options.js";
import { type PublicSite, requestIdOf, upstreamRequestHeaders } from "./request-headers.js";
import { clientResponseHeaders } from "./response-headers.js";
import { assertUnambiguous, pathUnderMount, type Target, targetUrl } from "./target.js";
import type { Transport, UpstreamResponse } from "./transport.js";
import { type WebSocketGate, websocketGate } from "./websocket.js";

/**
 * What an adapter knows about the request beyond the `Request` itself. `toNodeListener` fills
 * it in; elsewhere pass what the runtime tells you (such as `clientAddress`), or nothing.
 */
export interface HandleContext {
  /** The peer's IP address, for `X-Forwarded-For`. Fetch-API requests do not carry it. */
  clientAddress?: string;
  /**
   * The request-target exactly as it came off the wire (`/api/proxy/a%2e%2e/b?x`). A
   * `Request`'s URL has been through the WHATWG URL parser, which resolves dot segments and
   * turns `\` into `/`; with the raw target the proxy sees (and refuses) such tricks.
   */
  rawTarget?: string;
  /**
   * The runtime drops `Content-Encoding` and `Content-Length` from the Response it is given
   * (Next.js route handlers do, assuming `fetch` already decoded the body). The proxy then asks
   * the upstream for `identity` and decodes a gzip or deflate body itself, so that the bytes
   * always match the headers; the runtime may compress again on its own terms.
   *
   * Adapter-internal: `toNextHandlers` sets it. It describes one framework's quirk, not the
   * request, so it may change with the next Next.js release; the published types leave it out
   * (`stripInternal`) so that no application comes to depend on it.
   * @internal
   */
  dropsContentEncoding?: boolean;
}

/** A configured proxy: one function from `Request` to `Response`. */
export interface HandoffProxy {
  /**
   * The mount it was created with, normalised (`""` or `/api/proxy`, no trailing slash).
   * `createFrontDoor` routes by it; a hand-written wrapper copies it (`mount: proxy.mount`).
   */
  readonly mount?: string;
  /**
   * Forwards one request. Never rejects: every failure is answered as problem+json.
   * @example
   * ```ts
   * const response = await proxy.handle(request);
   * ```
   */
  handle(request: Request, context?: HandleContext): Promise<Response>;
  /**
   * The WebSocket handshake check, when created with `websocket`; the Node adapters
   * (`toNodeListener(proxy).upgrade`, `createFrontDoor`) relay the sockets.
   * @internal
   */
  readonly websocket?: WebSocketGate;
}

/**
 * A proxy as the Node adapter sees it: one of this copy of Handoff also runs its request path
 * over an {@link Incoming}, with no `Request` or `Response` in between.
 */
export interface ServableProxy extends HandoffProxy {
  [SERVE_INCOMING]?: (
    incoming: Incoming,
    context: HandleContext,
  ) => Promise<Response | ClientAnswer>;
}

/** Statuses whose responses never have a body (RFC 9110 §6.4.1, §15.3.6, §15.4.5). */
const NULL_BODY = new Set([204, 205, 304]);

/** Methods a 401 `invalid_token` may be retried for: idempotent (RFC 9110 §9.2.2), not POST/PATCH. */
const RETRYABLE = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]);

/** A Bearer challenge saying the token itself was refused (RFC 6750 §3, §3.1). */
const INVALID_TOKEN = /\bBearer\b[\s\S]*?\berror\s*=\s*"?invalid_token\b/i;

/** HTTP whitespace at either end of a header value, which `Headers` trims off (Fetch §2.2). */
const PADDED = /^[\t\n\r ]+|[\t\n\r ]+$/g;

/** A token that would split the Authorization header must never be sent. */
const HEADER_BREAKING = /[\r\n\0]/;

/** What the synchronous checks established about a request. */
interface Checked {
  incoming: Incoming;
  method: string;
  requestId: string;
  context: HandleContext;
  site: PublicSite;
  target: Target;
  /** The request path as received, for logs (no query). */
  path: string;
  started: number;
  /** The status answered, once known: a body that fails later is logged with it. */
  status: number;
  /** The token source's own cookies (a `TokenResult`), sent with whatever is answered. */
  setCookie: readonly string[];
}

/**
 * Creates a proxy whose transport defaults to `defaultTransport` (runtime-specific).
 *
 * The request path is synchronous wherever it can be, and async only where the work is: a
 * token source or header hook that returns a promise, a body read, the upstream exchange.
 * Frameworks track every promise through async hooks (Next.js does), so each `await` saved
 * is CPU saved on every request (see docs/performance.md).
 */
export function buildProxy(
  options: ProxyOptions,
  defaultTransport: () => Transport,
): ServableProxy {
  const resolved = resolveOptions(options);
  const csrf = csrfCheck(options.csrf);
  const transport = options.transport ?? defaultTransport();
  const log = logSink(options.logger);
  const editHeaders = options.headers;
  const limiter = rateLimiter(
    options.rateLimit,
    resolved.trustForwarded,
    resolved.token.sessionKey,
  );
  const websocket = websocketGate(options.websocket, {
    resolved,
    csrf: options.csrf,
    limiter,
    editHeaders,
    site: (request, url) => publicSite(request.headers, url, resolved.trustForwarded),
  });

  /** Method, path, CSRF: everything decided before the token is read. */
  function check(
    incoming: Incoming,
    requestId: string,
    context: HandleContext,
    started: number,
  ): Checked {
    const method = incoming.method;
    if (!resolved.methods.has(method)) throw new MethodNotAllowedError(method, resolved.methodList);
    const raw = context.rawTarget;
    const query = raw === undefined ? -1 : raw.indexOf("?");
    const path =
      raw === undefined ? incoming.url().pathname : query === -1 ? raw : raw.slice(0, query);
    const search = raw === undefined ? incoming.url().search : query === -1 ? "" : raw.slice(query);
    assertUnambiguous(path);
    const rest = pathUnderMount(path, resolved.mount);
    const site = publicSite(incoming.headers, incoming, resolved.trustForwarded);
    csrf?.(incoming, site.origin);
    const target = targetUrl(resolved.upstream, rest, search);
    return {
      incoming,
      method,
      requestId,
      context,
      site,
      target,
      path,
      started,
      status: 0,
      setCookie: [],
    };
  }

  /** Token, then upstream: the whole path when no rate limit is configured. */
  function forward(checked: Checked): Promise<UpstreamResponse> {
    const token = readToken(resolved.token, checked);
    return typeof token === "string"
      ? withToken(checked, token)
      : token.then((value) => withToken(checked, value));
  }

  /**
   * Per address before the token source runs (a flood of made-up cookies never reaches the
   * session store), per session after it (the key is the source's `sessionKey`, else the token).
   */
  function forwardLimited(checked: Checked, limits: RateLimiter): Promise<UpstreamResponse> {
    const perIp = limits.perIp?.(checked.incoming.request(), checked.context.clientAddress);
    const afterIp = (): Promise<UpstreamResponse> => {
      const perSession = limits.perSession;
      if (perSession === null) return forward(checked);
      const token = readToken(resolved.token, checked);
      const limited = (value: string) =>
        perSession(value, checked.incoming.request()).then(() => withToken(checked, value));
      return typeof token === "string" ? limited(token) : token.then(limited);
    };
    return perIp instanceof Promise ? perIp.then(afterIp) : afterIp();
  }

  function withToken(checked: Checked, token: string): Promise<UpstreamResponse> {
    const { incoming, context } = checked;
    const headers = upstreamRequestHeaders(incoming.headers, {
      token,
      requestId: checked.requestId,
      site: checked.site,
      clientAddress: context.clientAddress,
      trustForwarded: resolved.trustForwarded,
    });
    if (context.dropsContentEncoding) headers["accept-encoding"] = "identity";
    const edited = editHeaders?.(headers, incoming.request());
    if (edited instanceof Promise) {
      return edited.then(() => withHeaders(checked, token, headers));
    }
    return withHeaders(checked, token, headers);
  }

  function withHeaders(
    checked: Checked,
    token: string,
    headers: Record<string, string>,
  ): Promise<UpstreamResponse> {
    // Set after the `headers` hook, which therefore cannot replace it.
    headers.authorization = `Bearer ${token}`;
    const body = outgoingBody(checked.incoming, checked.method, resolved.maxRequestBytes);
    if (resolved.token.renew === undefined) {
      if (body instanceof Promise) return body.then((ready) => exchange(checked, headers, ready));
      return exchange(checked, headers, body);
    }
    const send = (ready: OutgoingBody) =>
      exchange(checked, headers, ready).then((upstream) =>
        retried(checked, headers, ready, token, upstream),
      );
    return body instanceof Promise ? body.then(send) : send(body);
  }

  /**
   * Sends the request once more with a renewed token when the upstream said the token was
   * invalid (RFC 6750 §3.1) and the source can renew it: only for a method that is safe to
   * repeat (idempotent, RFC 9110 §9.2.2) whose body is not a stream already spent.
   */
  function retried(
    checked: Checked,
    headers: Record<string, string>,
    body: OutgoingBody,
    token: string,
    upstream: UpstreamResponse,
  ): UpstreamResponse | Promise<UpstreamResponse> {
    const renew = resolved.token.renew;
    if (
      renew === undefined ||
      upstream.status !== 401 ||
      !RETRYABLE.has(checked.method) ||
      body.body instanceof ReadableStream ||
      !upstream.headers.some(
        ([name, value]) => name === "www-authenticate" && INVALID_TOKEN.test(value),
      )
    ) {
      return upstream;
    }
    const release = () => {
      if (upstream.body instanceof ReadableStream) upstream.body.cancel().catch(() => {});
    };
    return Promise.resolve()
      .then(() => renew(checked.incoming.request(), token))
      .then(
        (renewed) => {
          const fresh = unwrap(renewed, checked);
          if (fresh === null || fresh === "") return upstream;
          release();
          headers.authorization = `Bearer ${usableToken(fresh)}`;
          return exchange(checked, headers, body);
        },
        (error: unknown) => {
          release();
          throw sourceFailure(error);
        },
      );
  }

  function exchange(
    checked: Checked,
    headers: Record<string, string>,
    body: OutgoingBody,
  ): Promise<UpstreamResponse> {
    return transport({
      ...checked.target,
      method: checked.method,
      headers,
      body: body.body,
      bodyLength: body.length,
      signal: checked.incoming.signal,
      headersTimeout: resolved.headersTimeout,
      idleTimeout: resolved.idleTimeout,
      expectNoBody: checked.method === "HEAD",
      ...(log ? { onBodyError: (error: unknown) => reportBodyFailure(log, checked, error) } : {}),
    });
  }

  /**
   * The client's response from the upstream's: status and body as sent, headers by policy. As
   * a `Response`, or (`asResponse` false) as the parts an adapter writes itself, checked as
   * `new Response` would check them.
   */
  function toClientResponse(
    checked: Checked,
    upstream: UpstreamResponse,
    asResponse: boolean,
  ): Response | ClientAnswer {
    if (upstream.status < 200 || upstream.status > 599) {
      throw new UpstreamFailedError(new Error(`unusable status ${upstream.status}`));
    }
    if (checked.context.dropsContentEncoding) decodeForRuntime(upstream);
    const headers = clientResponseHeaders(upstream.headers, {
      upstream: resolved.upstream,
      mount: resolved.mount,
      setCookie: resolved.setCookie,
      rewriteLocation: resolved.rewriteLocation,
      // A 304's headers update the stored response (RFC 9111 §4.3.4): adding one would
      // overwrite the policy of the 200 it revalidates.
      cacheControl: upstream.status === 304 ? null : resolved.defaultCacheControl,
      requestId: checked.requestId,
      sourceCookies: checked.setCookie,
    });
    checked.status = upstream.status;
    let body = upstream.body;
    if (checked.method === "HEAD" || NULL_BODY.has(upstream.status)) {
      if (body instanceof ReadableStream) body.cancel().catch(() => {});
      body = null;
    }
    if (asResponse) return new Response(body, { status: upstream.status, headers });
    for (const [, value] of headers) {
      // What `new Response` refuses in a value once trimmed (Fetch §2.2: header value), as a
      // `setCookie` function may return it: answered as any failure here, 500 problem+json.
      if (HEADER_BREAKING.test(value) && HEADER_BREAKING.test(value.replace(PADDED, ""))) {
        throw new TypeError("invalid response header value");
      }
    }
    return { status: upstream.status, headers, body };
  }

  /** The request path over an {@link Incoming}: `handle` and the Node adapter both run it. */
  function serve(
    incoming: Incoming,
    context: HandleContext,
    asResponse: boolean,
  ): Promise<Response | ClientAnswer> {
    const started = Date.now();
    const requestId = requestIdOf(incoming.headers);
    let checked: Checked | undefined;
    const answer = <T extends Response | ClientAnswer>(response: T, failure?: HandoffError): T => {
      if (log) report(log, incoming, requestId, response.status, started, failure);
      return response;
    };
    const fail = (error: unknown): Response => {
      const failure = incoming.signal?.aborted ? new ClientAbortedError() : asHandoffError(error);
      const response = failure.toResponse({ requestId });
      // A session the source already rewrote (its refresh token maybe rotated) must reach the
      // browser even when the request then fails (429, 502): the old one may be spent.
      for (const cookie of checked?.setCookie ?? []) response.headers.append("set-cookie", cookie);
      return answer(response, failure);
    };
    try {
      const ready = check(incoming, requestId, context, started);
      checked = ready;
      const sent = limiter === null ? forward(ready) : forwardLimited(ready, limiter);
      return sent.then((upstream) => {
        try {
          return answer(toClientResponse(ready, upstream, asResponse));
        } catch (error) {
          // An answer the proxy cannot pass on: release the upstream connection too.
          if (upstream.body instanceof ReadableStream) upstream.body.cancel().catch(() => {});
          return fail(error);
        }
      }, fail);
    } catch (error) {
      return Promise.resolve(fail(error));
    }
  }

  return {
    mount: resolved.mount,
    ...(websocket ? { websocket } : {}),
    handle(request, context = {}) {
      return serve(incomingOf(request), context, true) as Promise<Response>;
    },
    [SERVE_INCOMING]: (incoming: Incoming, context: HandleContext) =>
      serve(incoming, context, false),
  };
}

/**
 * The origin the client addressed, from `Host` (or `X-Forwarded-*` when trusted). A `Request`
 * URL is not enough: `next start` builds it from its own hostname (`http://localhost:3000`),
 * whatever host the browser used. A cross-site page cannot choose the `Host` its victim's
 * browser sends, which is why Rails and Django compare `Origin` against it too.
 */
function publicSite(
  headers: HeaderReader,
  url: { readonly host: string; readonly protocol: string },
  trusted: boolean,
): PublicSite {
  const forwardedHost = trusted ? firstValue(headers.get("x-forwarded-host")) : null;
  const forwardedProto = trusted ? firstValue(headers.get("x-forwarded-proto")) : null;
  const host = forwardedHost || headers.get("host") || url.host;
  const proto = forwardedProto || url.protocol.slice(0, -1);
  return { host, proto, origin: `${proto}://${host}` };
}

function firstValue(list: string | null): string | null {
  return list === null ? null : (list.split(",")[0]?.trim() ?? null);
}

/**
 * The token, synchronously when the source answers synchronously. The cookies of a
 * `TokenResult` are kept on `checked` first, so that a 401 for its `null` token carries them.
 */
function readToken(source: TokenSource, checked: Checked): string | Promise<string> {
  let token: ReturnType<TokenSource>;
  const fromHeaders = (source as { [READS_HEADERS]?: HeaderTokenReader })[READS_HEADERS];
  try {
    token = fromHeaders
      ? fromHeaders(checked.incoming.headers)
      : source(checked.incoming.request());
  } catch (error) {
    throw sourceFailure(error);
  }
  if (token instanceof Promise) {
    return token.then(
      (value) => usableToken(unwrap(value, checked)),
      (error: unknown) => {
        throw sourceFailure(error);
      },
    );
  }
  return usableToken(unwrap(token, checked));
}

/** A `TokenResult`'s token, its cookies checked and kept on `checked`. */
function unwrap(result: string | TokenResult | null, checked: Checked): string | null {
  if (typeof result !== "object" || result === null) return result;
  const { token, setCookie = [] } = result;
  if (!Array.isArray(setCookie) || !setCookie.every(usableCookie)) {
    throw new TokenSourceError(new TypeError("the token source returned an unusable setCookie"));
  }
  checked.setCookie = setCookie;
  return token;
}

function usableCookie(cookie: unknown): boolean {
  return typeof cookie === "string" && cookie !== "" && !HEADER_BREAKING.test(cookie);
}

/**
 * A 401 or 503 HandoffError of the source's own (such as `ERR_AMBIGUOUS_SESSION_COOKIE` or
 * `ERR_REVOCATION_UNAVAILABLE`) is answered as is, from any copy of Handoff (`instanceof
 * HandoffError` checks the brand); anything else it throws is a fault of the source.
 */
function sourceFailure(error: unknown): unknown {
  return error instanceof HandoffError && (error.status === 401 || error.status === 503)
    ? error
    : new TokenSourceError(error);
}

function usableToken(token: string | null): string {
  if (token === null || token === undefined || token === "") throw new UnauthenticatedError();
  if (typeof token !== "string" || HEADER_BREAKING.test(token)) {
    throw new TokenSourceError(new TypeError("the token source returned an unusable token"));
  }
  return token;
}

/** A second event for a response whose body failed after its status was sent. */
function reportBodyFailure(log: LogSink, checked: Checked, error: unknown): void {
  const failure = asHandoffError(error);
  const cause = describeCause(failure.cause);
  log({
    level: "warn",
    msg: `Response body failed: ${failure.title}`,
    requestId: checked.requestId,
    method: checked.method,
    path: checked.path,
    status: checked.status,
    durationMs: Date.now() - checked.started,
    code: failure.code,
    ...(cause ? { cause } : {}),
  });
}

/** Any thrown value as a HandoffError; another copy's HandoffError is answered as it is. */
function asHandoffError(error: unknown): HandoffError {
  return error instanceof HandoffError ? error : new InternalError(error);
}

function report(
  log: LogSink,
  incoming: Incoming,
  requestId: string,
  status: number,
  started: number,
  failure: HandoffError | undefined,
): void {
  const level = failure === undefined || status < 500 ? "info" : status === 500 ? "error" : "warn";
  // Causes of upstream failures are logged (socket codes); a token source's cause is not, as
  // its message may quote the very credential it failed on (a refresh token, for
  // ERR_SESSION_EXPIRED).
  const cause =
    failure && failure.code !== "ERR_TOKEN_SOURCE" && failure.code !== "ERR_SESSION_EXPIRED"
      ? describeCause(failure.cause)
      : undefined;
  log({
    level,
    msg: failure ? failure.title : "proxied",
    requestId,
    method: incoming.method,
    path: incoming.url().pathname,
    status,
    durationMs: Date.now() - started,
    ...(failure ? { code: failure.code } : {}),
    ...(cause ? { cause } : {}),
  });
}
