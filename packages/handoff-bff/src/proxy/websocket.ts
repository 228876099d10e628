import { decodeJwt } from "jose";
import type { CsrfOptions } from "../csrf/check.js";
import { websocketOriginCheck } from "../csrf/websocket.js";
import {
  HandoffError,
  InvalidConfigError,
  MethodNotAllowedError,
  TokenSourceError,
  UnauthenticatedError,
} from "../errors.js";
import type { RateLimiter } from "../rate-limit/limiter.js";
import type { TokenResult, TokenSource } from "../tokens/types.js";
import type { ResolvedOptions } from "./options.js";
import { type PublicSite, requestIdOf, upstreamRequestHeaders } from "./request-headers.js";
import { assertUnambiguous, pathUnderMount, type Target, targetUrl } from "./target.js";
import type { WebSocketOptions } from "./websocket-options.js";

/** Close codes the proxy sends, on both sides (RFC 6455 §7.4.1, private use §7.4.2). */
export const CLOSE = {
  /** No byte either way for `idleTimeout` ms: Going Away. */
  idle: 1001,
  /** A message over `maxMessageBytes`: Message Too Big. */
  tooBig: 1009,
  /** The session could not be checked again (the token source failed): Internal Error. */
  checkFailed: 1011,
  /** The session ended: revoked, signed out, or its token expired. */
  sessionEnded: 4401,
} as const;

/** What an accepted handshake gives the adapter: where to go, with what, under which limits. */
export interface WebSocketGrant {
  target: Target;
  /** The upstream handshake's headers: the client's end-to-end ones and `Authorization: Bearer`. */
  headers: Record<string, string>;
  /** The token source's own cookies (a `TokenResult`), for the client's 101. */
  setCookie: readonly string[];
  requestId: string;
  headersTimeout: number;
  idleTimeout: number;
  maxMessageBytes: number;
  /** Watches the session until the returned function is called; `end` is called at most once. */
  watch(end: (code: number, reason: string) => void): () => void;
}

/** The proxy's WebSocket handshake check, runtime-agnostic; the Node adapter does the sockets. */
export interface WebSocketGate {
  open(
    request: Request,
    context: { clientAddress?: string; rawTarget?: string },
  ): Promise<WebSocketGrant>;
}

interface GateParts {
  resolved: ResolvedOptions;
  csrf: CsrfOptions | false | undefined;
  limiter: RateLimiter | null;
  editHeaders:
    | ((outgoing: Record<string, string>, request: Request) => void | Promise<void>)
    | undefined;
  site: (request: Request, url: URL) => PublicSite;
}

/** Timers further out than this (about 24.8 days) fire at once; the recheck covers them. */
const MAX_TIMER = 2 ** 31 - 1;

/** Validates `websocket` at creation; `undefined` when it is off. */
export function websocketGate(
  options: WebSocketOptions | boolean | undefined,
  parts: GateParts,
): WebSocketGate | undefined {
  if (options === undefined || options === false) return undefined;
  const given = options === true ? {} : options;
  if (typeof given !== "object" || given === null) {
    throw new InvalidConfigError("createProxy: websocket must be true or an object");
  }
  const idleTimeout = positive("idleTimeout", given.idleTimeout ?? 60_000);
  const maxMessageBytes = positive("maxMessageBytes", given.maxMessageBytes ?? 1024 * 1024);
  const recheck =
    given.recheckInterval === false
      ? null
      : positive("recheckInterval", given.recheckInterval ?? 30_000);
  const { resolved, limiter, editHeaders } = parts;
  const source = resolved.token;
  const originCheck = websocketOriginCheck(parts.csrf);

  return {
    async open(request, context) {
      const url = new URL(request.url);
      // RFC 6455 §4.1: the opening handshake is a GET.
      if (request.method !== "GET") throw new MethodNotAllowedError(request.method, ["GET"]);
      const raw = context.rawTarget;
      const query = raw === undefined ? -1 : raw.indexOf("?");
      const path = raw === undefined ? url.pathname : query === -1 ? raw : raw.slice(0, query);
      const search = raw === undefined ? url.search : query === -1 ? "" : raw.slice(query);
      assertUnambiguous(path);
      const rest = pathUnderMount(path, resolved.mount);
      const site = parts.site(request, url);
      originCheck?.(request, site.origin);
      const target = targetUrl(resolved.upstream, rest, search);
      await limiter?.perIp?.(request, context.clientAddress);
      const { token, setCookie } = await readToken(source, request);
      await limiter?.perSession?.(token, request);
      const requestId = requestIdOf(request.headers);
      const headers = upstreamRequestHeaders(request.headers, {
        token,
        requestId,
        site,
        clientAddress: context.clientAddress,
        trustForwarded: resolved.trustForwarded,
      });
      await editHeaders?.(headers, request);
      headers.authorization = `Bearer ${token}`;
      // Hop-by-hop, so dropped above; this hop's own upgrade (RFC 9110 §7.8, RFC 6455 §4.1).
      headers.connection = "Upgrade";
      headers.upgrade = "websocket";
      const sessionKey = (await source.sessionKey?.(request)) ?? null;
      const expires = expiresAt(token);
      return {
        target,
        headers,
        setCookie,
        requestId,
        headersTimeout: resolved.headersTimeout,
        idleTimeout,
        maxMessageBytes,
        watch: (end) => watchSession({ source, request, sessionKey, expires, recheck }, end),
      };
    },
  };
}

interface Watched {
  source: TokenSource;
  request: Request;
  sessionKey: string | null;
  expires: number | null;
  recheck: number | null;
}

function watchSession(watched: Watched, end: (code: number, reason: string) => void): () => void {
  let done = false;
  const stops: (() => void)[] = [];
  const stop = () => {
    done = true;
    for (const each of stops.splice(0)) each();
  };
  const finish = (code: number, reason: string) => {
    if (done) return;
    stop();
    end(code, reason);
  };
  const check = () => {
    readToken(watched.source, watched.request).then(
      () => {},
      (error: unknown) =>
        error instanceof HandoffError && error.status === 401
          ? finish(CLOSE.sessionEnded, "session ended")
          : finish(CLOSE.checkFailed, "session check failed"),
    );
  };
  const store = watched.source.revocation;
  if (store !== undefined && watched.sessionKey !== null) {
    stops.push(
      store.subscribe({
        onRevoked: (key) => {
          if (key === watched.sessionKey) finish(CLOSE.sessionEnded, "session ended");
        },
        // Revocations may have been missed: ask the source, which asks the store.
        onResync: check,
      }),
    );
  }
  if (watched.expires !== null) {
    const timer = setTimeout(
      () => finish(CLOSE.sessionEnded, "token expired"),
      Math.min(Math.max(watched.expires - Date.now(), 0), MAX_TIMER),
    );
    stops.push(() => clearTimeout(timer));
  }
  if (watched.recheck !== null) {
    const timer = setInterval(check, watched.recheck);
    stops.push(() => clearInterval(timer));
  }
  return stop;
}

/** The session's token now; rejects with a 401 HandoffError when there is none. */
async function readToken(
  source: TokenSource,
  request: Request,
): Promise<{ token: string; setCookie: readonly string[] }> {
  let result: string | TokenResult | null;
  try {
    result = await source(request);
  } catch (error) {
    throw error instanceof HandoffError && (error.status === 401 || error.status === 503)
      ? error
      : new TokenSourceError(error);
  }
  const token = typeof result === "object" && result !== null ? result.token : result;
  const setCookie = typeof result === "object" && result !== null ? (result.setCookie ?? []) : [];
  if (token === null || token === undefined || token === "") throw new UnauthenticatedError();
  if (typeof token !== "string" || /[\r\n\0]/.test(token)) {
    throw new TokenSourceError(new TypeError("the token source returned an unusable token"));
  }
  if (!setCookie.every((cookie) => typeof cookie === "string" && !/[\r\n\0]/.test(cookie))) {
    throw new TokenSourceError(new TypeError("the token source returned an unusable setCookie"));
  }
  return { token, setCookie };
}

/** The JWT's `exp` in epoch ms, or `null` for a token that is not a JWT or has none. */
function expiresAt(token: string): number | null {
  try {
    const { exp } = decodeJwt(token);
    return typeof exp === "number" ? exp * 1000 : null;
  } catch {
    return null;
  }
}

function positive(name: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new InvalidConfigError(`createProxy: websocket.${name} must be a positive number`);
  }
  return value;
}
