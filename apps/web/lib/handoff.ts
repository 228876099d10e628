import {
  createProxy,
  isHandoffError,
  type LogEvent,
  type RateLimitOptions,
  type RateLimitStore,
  type RevocationStore,
  type TokenSource,
} from "handoff-bff";
import { trustedClientAddress } from "./client-address";
import { DEFAULT_API_URL, trustedProxyCount } from "./config";
import { getRuntime } from "./runtime";

/**
 * The TaskFlow API's URL (`API_URL`), read when a route module loads. Only this is read at
 * load: the rest of the configuration (the secret above all) waits for the first request, so
 * that `next build` needs none of it.
 */
function apiUrl(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return (env.API_URL?.trim() || DEFAULT_API_URL).replace(/\/+$/, "");
}

/**
 * The JWT of the request's Better Auth session (`betterAuthToken`), or `null` (401). Better
 * Auth starts with the first request, so the source is made then; it is shared by every route.
 * The proxy answers a failure 500 `ERR_TOKEN_SOURCE` and does not log its cause, so it is
 * logged here: Better Auth's own errors are fixed sentences (such as "Failed to decrypt private
 * key", when BETTER_AUTH_SECRET changed under existing keys); others only by name and code, as
 * a database error may quote values. Handoff's own refusals (a repeated cookie, revocation
 * unavailable while Redis is down) are answered with their code and not logged per request.
 * `sessionKey` (the SHA-256 of the session cookie) keys the per-session limit, the same on
 * every instance.
 */
const sessionToken: TokenSource = Object.assign(
  async (request: Request) => {
    try {
      return await (await getRuntime()).token(request);
    } catch (error) {
      if (!isHandoffError(error)) console.error(`token source failed: ${describe(error)}`);
      throw error;
    }
  },
  {
    sessionKey: async (request: Request) => (await getRuntime()).token.sessionKey(request),
    revocation: lazyRevocation(),
  },
);

/**
 * The runtime's revocation store, for the proxy's WebSockets: a socket subscribes when it
 * opens, and is closed with 4401 the moment its session is revoked (sign-out here or in
 * another tab, on any instance). The runtime has started by then (the handshake read a token),
 * so the subscription is made in the same tick's microtasks.
 */
function lazyRevocation(): RevocationStore {
  return {
    revoke: async (key) => (await getRuntime()).stores.revocation.revoke(key),
    subscribe(listener) {
      let stop: (() => void) | null = null;
      let stopped = false;
      void getRuntime().then(
        ({ stores }) => {
          if (!stopped) stop = stores.revocation.subscribe(listener);
        },
        // No runtime, no token either: the socket's own recheck closes it.
        () => {},
      );
      return () => {
        stopped = true;
        stop?.();
      };
    },
  };
}

/**
 * The runtime's proxy store, reached on each hit: the routes build their options when their
 * module loads, before the first request has started the runtime (and connected Redis).
 */
const proxyStore: RateLimitStore = {
  async hit(key, windowMs) {
    return (await getRuntime()).stores.proxy.hit(key, windowMs);
  },
};

/**
 * The proxies' warnings and errors (a 5xx, a stream cut short), one JSON line each on stderr.
 * Handoff's events hold no header value and no query: no token or cookie reaches the log.
 */
function logProblems(event: LogEvent): void {
  if (event.level !== "info") console.error(JSON.stringify({ source: "handoff", ...event }));
}

/**
 * `/api/proxy`: everything under it goes to the API's root
 * (`/api/proxy/api/tasks` → `{API_URL}/api/tasks`), the bare mount included. CSRF defence is
 * on (the default); no session → 401, before the API is contacted. The one definition of this
 * proxy: its route handler and the front door (server.mjs) both serve it.
 *
 * WebSockets too (`/api/proxy/api/tasks/live`, the dashboard's live tasks), under the front
 * door only: a route handler cannot upgrade. The handshake must come from this app's own
 * origin (cross-site WebSocket hijacking: a browser sends the cookie from any page, RFC 6455
 * §10.2) and the upstream one carries the session's JWT as a bearer, never the cookie. A socket
 * closes with 4401 when its session is revoked or its JWT expires; the library's defaults
 * (60 s idle, 1 MiB messages, a session recheck every 30 s) suit a feed of small events.
 *
 * @example
 * ```ts
 * export const { GET, POST } = toNextHandlers(apiProxy());
 * ```
 */
export function apiProxy(env: Readonly<Record<string, string | undefined>> = process.env) {
  return createProxy({
    upstream: apiUrl(env),
    mount: "/api/proxy",
    websocket: true,
    ...shared(env),
  });
}

/**
 * `/api/agent`: the agent's own mapping (`/api/agent/chat` → `{API_URL}/v1/agent/chat`), and
 * nothing else of the API is reachable through it. The chat's event stream passes as it arrives.
 *
 * @example
 * ```ts
 * createFrontDoor({ proxies: [apiProxy(), agentProxy()], fallback });
 * ```
 */
export function agentProxy(env: Readonly<Record<string, string | undefined>> = process.env) {
  return createProxy({ upstream: `${apiUrl(env)}/v1/agent`, mount: "/api/agent", ...shared(env) });
}

/**
 * `/api/chatkit`: ChatKit's custom-backend flow (flow 3). The ChatKit client POSTs its protocol
 * here; the session's JWT is added and the request forwarded to `{API_URL}/chatkit`. POST only,
 * as the protocol is; `/api/chatkit/start` and `/refresh` are flow 1's own (lib/chatkit.ts).
 *
 * @example
 * ```ts
 * export const { POST } = toNextHandlers(chatkitProxy());
 * ```
 */
export function chatkitProxy(env: Readonly<Record<string, string | undefined>> = process.env) {
  return createProxy({
    upstream: `${apiUrl(env)}/chatkit`,
    mount: "/api/chatkit",
    methods: ["POST"],
    ...shared(env),
  });
}

function shared(env: Readonly<Record<string, string | undefined>>) {
  return { token: sessionToken, rateLimit: rateLimit(env), logger: logProblems } as const;
}

/**
 * The limits of `/api/proxy`, `/api/agent` and `/api/chatkit` together (one store, so a client
 * cannot double its budget by using both; in Redis with `REDIS_URL`, so neither by spreading
 * requests over instances), per minute: `RATE_LIMIT_PER_IP` (default 600) and
 * `RATE_LIMIT_PER_SESSION` (default 300). Over the limit: 429 with `Retry-After`. The per-IP
 * limit counts only an address `TRUSTED_PROXY_COUNT` proxies vouch for (lib/client-address.ts);
 * with none (the default), it counts the socket's peer address under the front door
 * (server.mjs), and under the route handlers, which get no socket address, every request is
 * exempt from it (any address there would be the client's own choice) and the per-session
 * limit is the one that holds.
 */
function rateLimit(env: Readonly<Record<string, string | undefined>> = process.env) {
  const proxies = trustedProxyCount(env);
  const options: RateLimitOptions = {
    perIp: { limit: positive(env.RATE_LIMIT_PER_IP, 600), windowSeconds: 60 },
    perSession: { limit: positive(env.RATE_LIMIT_PER_SESSION, 300), windowSeconds: 60 },
    store: proxyStore,
    // `peer` is the socket's address under the front door, undefined under a route handler;
    // null exempts the request from perIp (Handoff's contract for clientIp).
    clientIp: (request, peer) => trustedClientAddress(request.headers, proxies, peer),
  };
  return options;
}

function describe(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (!(cause instanceof Error)) return "unknown error";
  if (cause.name === "BetterAuthError") return `${cause.name}: ${cause.message}`.slice(0, 300);
  const code = (cause as { code?: unknown }).code;
  return `${cause.name}${typeof code === "string" ? ` ${code}` : ""}`;
}

function positive(value: string | undefined, fallback: number): number {
  const parsed = Number(value);
  return value !== undefined && Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
}
