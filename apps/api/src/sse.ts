/**
 * Server-Sent Events, the writing side (WHATWG HTML §9.2 "Server-sent events"), after hono's
 * helper/streaming/sse.ts: the one place that frames events and names the response headers of
 * every event stream this API answers. Tests read streams with eventsource-parser
 * (src/testing/sse.ts), an independent implementation of the same parsing rules.
 */

/** One event, as {@link encodeSse} writes it. */
export interface SseMessage {
  /** The payload. Line breaks become several `data:` lines, which a client joins with `\n`. */
  data: string;
  /** The `event:` field (a client's `message` when absent). One line: no CR or LF. */
  event?: string | undefined;
  /** The `id:` field, sent back as `Last-Event-ID` on reconnection. No CR, LF or NUL. */
  id?: string | undefined;
  /** The `retry:` field: the reconnection delay a client should use, in ms. */
  retry?: number | undefined;
}

/**
 * Response headers of every event stream (the agent's and ChatKit's). Nothing between here and
 * the client may hold events back: a compressor or proxy that buffers turns a token-by-token
 * answer into one late block.
 */
export const EVENT_STREAM_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/event-stream; charset=utf-8",
  // no-cache: never reused without asking us (RFC 9111 §5.2.2.4), and a POST answer carries no
  // validator, so never reused at all. no-transform: intermediaries must not alter the content
  // (§5.2.2.6), which compression middleware (Express's `compression`, for one) honours.
  "cache-control": "no-cache, no-transform",
  // Tells nginx not to buffer the stream, so each event reaches the client as it is produced.
  "x-accel-buffering": "no",
};

/** §9.2.5: a line ends at CRLF, LF or CR, so each of them must be split on. */
const LINE_BREAK = /\r\n|\r|\n/;

/**
 * Serializes one event: `event:`, one `data:` line per line of `data`, `id:`, `retry:`, then the
 * blank line that dispatches it (§9.2.6). Throws a `TypeError` when `event` or `id` holds a line
 * break, which would end the field early and let the rest forge fields of its own.
 *
 * @example
 * ```ts
 * encodeSse({ event: "delta", data: '{"text":"Hi"}' }); // 'event: delta\ndata: {"text":"Hi"}\n\n'
 * encodeSse({ data: "a\nb" }); // 'data: a\ndata: b\n\n'
 * ```
 */
export function encodeSse({ data, event, id, retry }: SseMessage): string {
  if (event !== undefined && /[\r\n]/.test(event)) {
    throw new TypeError("An SSE event name must not contain CR or LF.");
  }
  // §9.2.6: a client ignores an `id` that contains NUL, so it could never be resumed from.
  if (id !== undefined && /[\r\n\0]/.test(id)) {
    throw new TypeError("An SSE id must not contain CR, LF or NUL.");
  }
  // §9.2.6: a `retry` that is not ASCII digits only is ignored by the client.
  if (retry !== undefined && !(Number.isSafeInteger(retry) && retry >= 0)) {
    throw new RangeError("An SSE retry must be a non-negative integer of milliseconds.");
  }
  let text = event === undefined ? "" : `event: ${event}\n`;
  for (const line of data.split(LINE_BREAK)) text += `data: ${line}\n`;
  if (id !== undefined) text += `id: ${id}\n`;
  if (retry !== undefined) text += `retry: ${retry}\n`;
  return `${text}\n`;
}

/**
 * Serializes a comment: one `:` line per line of `text`, which every client ignores (§9.2.6).
 *
 * @example
 * ```ts
 * encodeSseComment("ping"); // ': ping\n\n'
 * ```
 */
export function encodeSseComment(text: string): string {
  let lines = "";
  for (const line of text.split(LINE_BREAK)) lines += `: ${line}\n`;
  return `${lines}\n`;
}

/** What {@link createSseStream} hands its producer. */
export interface SseWriter {
  /** Sends one event at once; does nothing once the stream is closed or cancelled. */
  write(message: SseMessage): void;
  /** Sends a comment line; does nothing once the stream is closed or cancelled. */
  comment(text: string): void;
  /** Ends the stream; later calls do nothing. */
  close(): void;
  /**
   * Chunks written but not yet taken by the reader (the server takes one only when the socket
   * accepts it): how far a slow client has fallen behind.
   */
  readonly queued: number;
}

/** Options of {@link createSseStream}. */
export interface SseStreamOptions {
  /**
   * Silence, in ms, after which a `: ping` comment is sent, so proxies with idle timeouts keep
   * the stream open (nginx's default `proxy_read_timeout` is 60 s). No heartbeat when absent.
   */
  heartbeatMs?: number | undefined;
  /** Called once when the reader cancels the stream (the client went away). */
  onCancel?: ((reason: unknown) => void) | undefined;
}

/**
 * A `text/event-stream` body that `produce` writes to as events happen, each event its own chunk
 * so the server sends it at once. Answer it with {@link EVENT_STREAM_HEADERS}.
 *
 * @example
 * ```ts
 * const body = createSseStream((sse) => {
 *   sse.write({ event: "delta", data: JSON.stringify({ text: "Hi" }) });
 *   sse.close();
 * }, { heartbeatMs: 15_000 });
 * return new Response(body, { headers: EVENT_STREAM_HEADERS });
 * ```
 */
export function createSseStream(
  produce: (writer: SseWriter) => void,
  options: SseStreamOptions = {},
): ReadableStream<Uint8Array> {
  const { heartbeatMs, onCancel } = options;
  const encoder = new TextEncoder();
  let open = true;
  let heartbeat: ReturnType<typeof setTimeout> | undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string) => {
        if (!open) return;
        controller.enqueue(encoder.encode(text));
        rearm();
      };
      const rearm = () => {
        clearTimeout(heartbeat);
        if (heartbeatMs !== undefined) {
          heartbeat = setTimeout(() => send(encodeSseComment("ping")), heartbeatMs);
        }
      };
      rearm();
      produce({
        write: (message) => send(encodeSse(message)),
        comment: (text) => send(encodeSseComment(text)),
        close: () => {
          clearTimeout(heartbeat);
          if (!open) return;
          open = false;
          controller.close();
        },
        // The default strategy's high-water mark is one chunk: desiredSize = 1 - queued.
        get queued() {
          return open ? 1 - (controller.desiredSize ?? 1) : 0;
        },
      });
    },
    cancel(reason) {
      open = false;
      clearTimeout(heartbeat);
      onCancel?.(reason);
    },
  });
}
