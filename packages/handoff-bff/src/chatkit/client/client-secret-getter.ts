import { type CreateFetchOptions, createFetch, type FetchLike } from "../../client/create-fetch.js";
import { ProblemError } from "../../client/problem-error.js";
import { readJson } from "../../client/read-json.js";

/** Options of {@link createClientSecretGetter}. */
export interface ClientSecretGetterOptions {
  /** Where `sessions.start` is mounted. @default "/api/chatkit/start" */
  startUrl?: string;
  /** Where `sessions.refresh` is mounted. @default "/api/chatkit/refresh" */
  refreshUrl?: string;
  /** The anti-CSRF header, as `createFetch`'s; match the handlers' `csrf.requireHeader`. @default false */
  csrfHeader?: CreateFetchOptions["csrfHeader"];
  /** Called, and awaited, on a 401 (signed out), as `createFetch`'s. */
  onUnauthorized?: CreateFetchOptions["onUnauthorized"];
  /** The `fetch` to send with. @default the global `fetch` */
  fetch?: FetchLike;
}

/** ChatKit's `api.getClientSecret`: `null` on mount, the current secret when it runs out. */
export type GetClientSecret = (currentClientSecret: string | null) => Promise<string>;

/**
 * Returns the `getClientSecret` of `useChatKit({ api: { getClientSecret } })` for routes served
 * by `createChatKitSessions`: `null` → `POST startUrl`; a secret → `POST refreshUrl` with
 * `{ currentClientSecret }`. The session cookie goes with both (same origin only) and nothing
 * else identifies the user: the server decides who it is.
 *
 * When the server no longer knows the secret (403 `ERR_CHATKIT_SECRET_MISMATCH`: it restarted
 * with an in-memory store, another user signed in in this tab, the tab slept past the grace
 * period), it starts a new session instead, which ChatKit could not do on its own. Any other
 * failure rejects with a `ProblemError` carrying the server's `code`.
 *
 * @example
 * ```tsx
 * "use client";
 * import { ChatKit, useChatKit } from "@openai/chatkit-react";
 * import { createClientSecretGetter } from "handoff-bff/chatkit/client";
 *
 * const getClientSecret = createClientSecretGetter({ csrfHeader: true });
 *
 * export function Chat() {
 *   const { control } = useChatKit({ api: { getClientSecret } });
 *   return <ChatKit control={control} className="h-[600px]" />;
 * }
 * ```
 */
export function createClientSecretGetter(options: ClientSecretGetterOptions = {}): GetClientSecret {
  const startUrl = options.startUrl ?? "/api/chatkit/start";
  const refreshUrl = options.refreshUrl ?? "/api/chatkit/refresh";
  const send = createFetch({
    csrfHeader: options.csrfHeader,
    onUnauthorized: options.onUnauthorized,
    fetch: options.fetch,
  });

  const start = async () => secretOf(await send(startUrl, { method: "POST", cache: "no-store" }));

  return async (current) => {
    if (current === null || current === "") return start();
    try {
      const response = await send(refreshUrl, {
        method: "POST",
        cache: "no-store",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ currentClientSecret: current }),
      });
      return await secretOf(response);
    } catch (error) {
      if (error instanceof ProblemError && error.code === "ERR_CHATKIT_SECRET_MISMATCH") {
        return start();
      }
      throw error;
    }
  };
}

async function secretOf(response: Response): Promise<string> {
  const body = await readJson<{ client_secret?: unknown }>(response);
  const secret = body?.client_secret;
  if (typeof secret !== "string" || secret === "") {
    throw new TypeError("The ChatKit session endpoint answered no client_secret.");
  }
  return secret;
}
