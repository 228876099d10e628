import type { FetchLike } from "./create-fetch.js";
import { type EventStream, readEvents } from "./read-events.js";

/** `fetch` options, plus what {@link streamEvents} adds. */
export interface StreamEventsInit extends RequestInit {
  /**
   * The `fetch` to send with: pass the one from `createFetch` for the CSRF header and the
   * 401 hook.
   * @default the global `fetch`
   */
  fetch?: FetchLike;
  /** Sent as `Last-Event-ID` when not empty, to resume a GET stream (see `EventStream`). */
  lastEventId?: string;
  /** As in `readEvents`. @default true */
  json?: boolean;
}

/**
 * Sends a request for an event stream and reads it: `fetch` with `Accept: text/event-stream`
 * (unless set) and `cache: "no-store"` (unless set), then `readEvents` with the same `signal`.
 * Rejects like `fetch` (network failure, abort); the returned stream throws like `readEvents`.
 *
 * It never reconnects by itself: a POST (a chat message) must not be sent twice behind the
 * user's back. To resume a GET stream, call it again with `lastEventId: events.lastEventId`
 * after `events.retry` ms (see the docs).
 *
 * @example
 * ```ts
 * const events = await streamEvents("/api/agent/chat", {
 *   fetch: api,
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: JSON.stringify({ message, sessionId }),
 *   signal: controller.signal,
 * });
 * for await (const { event, data } of events) console.log(event, data);
 * ```
 */
export async function streamEvents(
  input: RequestInfo | URL,
  init: StreamEventsInit = {},
): Promise<EventStream> {
  const { fetch: send, lastEventId, json, ...requestInit } = init;
  const headers = new Headers(
    requestInit.headers ?? (input instanceof Request ? input.headers : undefined),
  );
  if (!headers.has("accept")) headers.set("accept", "text/event-stream");
  if (lastEventId !== undefined && lastEventId !== "") headers.set("last-event-id", lastEventId);
  // As EventSource does: an event stream is never served from, or stored in, the HTTP cache.
  const options: RequestInit = { cache: "no-store", ...requestInit, headers };
  const response = await (send === undefined ? fetch(input, options) : send(input, options));
  return readEvents(response, { signal: requestInit.signal, json });
}
