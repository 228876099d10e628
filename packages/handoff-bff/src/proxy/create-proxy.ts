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
import { describeCause, type LogSink, logSink } from "./log.js";
import { type ProxyOptions, resolveOptions } from "./options.js";
import { type PublicSite, requestIdOf, upstreamRequestHeaders } from "./request-headers.js";
import { clientResponseHeaders } from "./response-headers.js";
import { assertUnambiguous, pathUnderMount, type Target, targetUrl } from "./target.js";
import type { Transport, UpstreamResponse } from "./transport.js";

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
}

/** Statuses whose responses never have a body (RFC 9110 §6.4.1, §15.3.6, §15.4.5). */
const NULL_BODY = new Set([204, 205, 304]);

/** Methods a 401 `invalid_token` may be retried for: idempotent (RFC 9110 §9.2.2), not POST/PATCH. */
const RETRYABLE = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]);

/** A Bearer challenge saying the token itself was refused (RFC 6750 §3, §3.1). */
const INVALID_TOKEN = /\bBearer\b[\s\S]*?\berror\s*=\s*"?invalid_token\b/i;

/** A token that would split the Authorization header must never be sent. */
const HEADER_BREAKING = /[\r\n\0]/;

/** What the synchronous checks established about a request. */
interface Checked {
  request: Request;
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
export function buildProxy(options: ProxyOptions, defaultTransport: () => Transport): HandoffProxy {
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

  /** Method, path, CSRF: everything decided before the token is read. */
  function check(
    request: Request,
    url: URL,
    requestId: string,
    context: HandleContext,
    started: number,
  ): Checked {
    const method = request.method;
    if (!resolved.methods.has(method)) throw new MethodNotAllowedError(method, resolved.methodList);
    const raw = context.rawTarget;
    const query = raw === undefined ? -1 : raw.indexOf("?");
    const path = raw === undefined ? url.pathname : query === -1 ? raw : raw.slice(0, query);
    const search = raw === undefined ? url.search : query === -1 ? "" : raw.slice(query);
    assertUnambiguous(path);
    const rest = pathUnderMount(path, resolved.mount);
    const site = publicSite(request.headers, url, resolved.trustForwarded);
    csrf?.(request, site.origin);
    const target = targetUrl(resolved.upstream, rest, search);
    return {
      request,
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
    const perIp = limits.perIp?.(checked.request, checked.context.clientAddress);
    const afterIp = (): Promise<UpstreamResponse> => {
      const perSession = limits.perSession;
      if (perSession === null) return forward(checked);
      const token = readToken(resolved.token, checked);
      const limited = (value: string) =>
        perSession(value, checked.request).then(() => withToken(checked, value));
      return typeof token === "string" ? limited(token) : token.then(limited);
    };
    return perIp instanceof Promise ? perIp.then(afterIp) : afterIp();
  }

  function withToken(checked: Checked, token: string): Promise<UpstreamResponse> {
    const { request, context } = checked;
    const headers = upstreamRequestHeaders(request.headers, {
      token,
      requestId: checked.requestId,
      site: checked.site,
      clientAddress: context.clientAddress,
      trustForwarded: resolved.trustForwarded,
    });
    if (context.dropsContentEncoding) headers["accept-encoding"] = "identity";
    const edited = editHeaders?.(headers, request);
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
    const body = outgoingBody(checked.request, checked.method, resolved.maxRequestBytes);
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
      .then(() => renew(checked.request, token))
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
      signal: checked.request.signal ?? null,
      headersTimeout: resolved.headersTimeout,
      idleTimeout: resolved.idleTimeout,
      expectNoBody: checked.method === "HEAD",
      ...(log ? { onBodyError: (error: unknown) => reportBodyFailure(log, checked, error) } : {}),
    });
  }

  /** The client's response from the upstream's: status and body as sent, headers by policy. */
  function toClientResponse(checked: Checked, upstream: UpstreamResponse): Response {
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
    return new Response(body, { status: upstream.status, headers });
  }

  return {
    mount: resolved.mount,
    handle(request, context = {}) {
      const started = Date.now();
      const requestId = requestIdOf(request.headers);
      let url: URL | undefined;
      let checked: Checked | undefined;
      const answer = (response: Response, failure?: HandoffError): Response => {
        if (log) report(log, request, url, requestId, response.status, started, failure);
        return response;
      };
      const fail = (error: unknown): Response => {
        const failure = request.signal?.aborted ? new ClientAbortedError() : asHandoffError(error);
        const response = failure.toResponse({ requestId });
        // A session the source already rewrote (its refresh token maybe rotated) must reach the
        // browser even when the request then fails (429, 502): the old one may be spent.
        for (const cookie of checked?.setCookie ?? [])
          response.headers.append("set-cookie", cookie);
        return answer(response, failure);
      };
      try {
        url = new URL(request.url);
        const ready = check(request, url, requestId, context, started);
        checked = ready;
        const sent = limiter === null ? forward(ready) : forwardLimited(ready, limiter);
        return sent.then((upstream) => {
          try {
            return answer(toClientResponse(ready, upstream));
          } catch (error) {
            // An answer the proxy cannot pass on: release the upstream connection too.
            if (upstream.body instanceof ReadableStream) upstream.body.cancel().catch(() => {});
            return fail(error);
          }
        }, fail);
      } catch (error) {
        return Promise.resolve(fail(error));
      }
    },
  };
}

/**
 * The origin the client addressed, from `Host` (or `X-Forwarded-*` when trusted). A `Request`
 * URL is not enough: `next start` builds it from its own hostname (`http://localhost:3000`),
 * whatever host the browser used. A cross-site page cannot choose the `Host` its victim's
 * browser sends, which is why Rails and Django compare `Origin` against it too.
 */
function publicSite(headers: Headers, url: URL, trusted: boolean): PublicSite {
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
  try {
    token = source(checked.request);
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
  request: Request,
  url: URL | undefined,
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
    method: request.method,
    path: url?.pathname ?? "",
    status,
    durationMs: Date.now() - started,
    ...(failure ? { code: failure.code } : {}),
    ...(cause ? { cause } : {}),
  });
}
