/** The signature of the global `fetch`, which `createFetch` returns and accepts. */
export type FetchLike = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/** Options of {@link createFetch}. */
export interface CreateFetchOptions {
  /**
   * A prefix for relative URLs given as strings, such as `"/api/proxy"`: then `"/api/tasks"`
   * and `"api/tasks"` both request `/api/proxy/api/tasks`. Absolute URLs (with a scheme),
   * `URL` and `Request` objects are used as they are.
   * @default no prefix
   */
  baseUrl?: string;
  /**
   * The anti-CSRF header to send, matching the proxy's `csrf.requireHeader`: `true` sends
   * `X-CSRF: 1` (Duende BFF's convention), a string names the header (value `"1"`), an object
   * sets name and value. It is sent on every method, since the proxy checks it on every
   * method, and only to the page's own origin (or, outside a browser, `baseUrl`'s origin): a
   * custom header on a cross-origin request would only cause a CORS preflight.
   * @default false
   */
  csrfHeader?: boolean | string | { name: string; value: string };
  /**
   * Called, and awaited, for every 401 response before it is returned, such as
   * `() => router.push("/sign-in")`. Leave the body unread (or read a `clone()`): the caller
   * gets the same response. A hook that throws rejects the call.
   */
  onUnauthorized?: (response: Response) => void | Promise<void>;
  /**
   * The `fetch` to send with.
   * @default the global `fetch`, looked up on each call
   */
  fetch?: FetchLike;
}

/** The proxy's `requireHeader: "x-csrf"` expects this value. */
const DEFAULT_CSRF = { name: "x-csrf", value: "1" };

const ABSOLUTE_URL = /^[a-zA-Z][a-zA-Z\d+.-]*:/;

/**
 * Returns a `fetch` for the browser side of a Handoff app. It is the global `fetch` with:
 * - `credentials: "same-origin"` on every request (`"omit"` is kept; `"include"` is lowered):
 *   the session cookie goes to the app's own origin, never to another one;
 * - the anti-CSRF header, when configured;
 * - the `onUnauthorized` hook on 401;
 * - an optional `baseUrl` prefix.
 *
 * Everything else (method, headers, body, `signal`, the returned `Response`) is `fetch`'s own:
 * it does not throw on error statuses (see `readJson`) and never reads or sets cookies or
 * tokens; the proxy adds the token on the server.
 *
 * @example
 * ```ts
 * import { createFetch, readJson } from "handoff-bff/client";
 *
 * export const api = createFetch({
 *   csrfHeader: true,
 *   onUnauthorized: () => window.location.assign("/sign-in"),
 * });
 *
 * const page = await readJson<{ items: Task[] }>(await api("/api/proxy/api/tasks"));
 * ```
 */
export function createFetch(options: CreateFetchOptions = {}): FetchLike {
  const csrf = csrfHeaderOf(options.csrfHeader);
  const base = options.baseUrl?.replace(/\/+$/, "");
  const baseOrigin = base !== undefined && ABSOLUTE_URL.test(base) ? new URL(base).origin : null;
  const send = options.fetch;
  const onUnauthorized = options.onUnauthorized;

  return async (input, init) => {
    const wanted = init?.credentials ?? (input instanceof Request ? input.credentials : undefined);
    const request = new Request(withBase(input, base), {
      ...init,
      // Cookies for the app's own origin only (Fetch: credentials mode); "include" would
      // send them to any origin that answers with Access-Control-Allow-Credentials.
      credentials: wanted === "omit" ? "omit" : "same-origin",
    });
    if (csrf !== null && isOwnOrigin(request.url, baseOrigin)) {
      request.headers.set(csrf.name, csrf.value);
    }
    const response = await (send === undefined ? fetch(request) : send(request));
    if (response.status === 401 && onUnauthorized !== undefined) await onUnauthorized(response);
    return response;
  };
}

function csrfHeaderOf(
  option: CreateFetchOptions["csrfHeader"],
): { name: string; value: string } | null {
  if (option === undefined || option === false) return null;
  if (option === true) return DEFAULT_CSRF;
  if (typeof option === "string") return { name: option, value: "1" };
  return option;
}

function withBase(input: RequestInfo | URL, base: string | undefined): RequestInfo | URL {
  if (base === undefined || typeof input !== "string" || ABSOLUTE_URL.test(input)) return input;
  if (input === "" || input.startsWith("/") || input.startsWith("?")) return base + input;
  return `${base}/${input}`;
}

function isOwnOrigin(url: string, baseOrigin: string | null): boolean {
  // `location` is the page's (or worker's) own; absent on servers, where `baseUrl` decides.
  const own = globalThis.location?.origin ?? baseOrigin;
  return own !== null && own !== undefined && new URL(url).origin === own;
}
