import { type CreateFetchOptions, createFetch, type FetchLike } from "../../client/create-fetch.js";

/** Options of {@link createChatKitFetch}. */
export interface ChatKitFetchOptions {
  /**
   * The anti-CSRF header the app's ChatKit route checks (its proxy's `csrf.requireHeader`):
   * `true` sends `X-CSRF: 1`. Sent to the page's own origin only.
   * @default false
   */
  csrfHeader?: CreateFetchOptions["csrfHeader"];
  /** Called, and awaited, on a 401 (signed out), such as a redirect to the sign-in page. */
  onUnauthorized?: CreateFetchOptions["onUnauthorized"];
  /** The `fetch` to send with. @default the global `fetch` */
  fetch?: FetchLike;
}

/**
 * The `fetch` of `useChatKit({ api: { url, domainKey, fetch } })` for a self-hosted ChatKit
 * server reached through a Handoff proxy (flow 3 in docs/chatkit.md). It adds no token: the
 * session cookie goes to the app's own origin (`credentials: "same-origin"`, even when ChatKit
 * asks for `"include"`), the proxy turns it into `Authorization: Bearer` on the server, and
 * the CSRF header is added when configured. It is `createFetch` without a `baseUrl`.
 *
 * @example
 * ```tsx
 * "use client";
 * import { useChatKit } from "@openai/chatkit-react";
 * import { createChatKitFetch } from "handoff-bff/chatkit/client";
 *
 * const fetch = createChatKitFetch({ csrfHeader: true });
 *
 * const { control } = useChatKit({
 *   api: { url: "/api/chatkit", domainKey: process.env.NEXT_PUBLIC_CHATKIT_DOMAIN_KEY ?? "", fetch },
 * });
 * ```
 */
export function createChatKitFetch(options: ChatKitFetchOptions = {}): FetchLike {
  return createFetch({
    csrfHeader: options.csrfHeader,
    onUnauthorized: options.onUnauthorized,
    fetch: options.fetch,
  });
}
