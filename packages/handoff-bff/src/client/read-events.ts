import { EventStreamParser, type ParsedEvent } from "../lib/event-stream.js";
import { mediaTypeOf } from "../lib/media-type.js";
import { ProblemError } from "./problem-error.js";

/** One server-sent event. */
export interface ServerSentEvent {
  /** The `event:` field; `"message"` when the event had none. */
  event: string;
  /**
   * The `data:` lines joined with `\n`, JSON-parsed when they are valid JSON, else the string
   * as it came (with `json: false`, always the string). Not validated: check its shape.
   */
  data: unknown;
  /** The last event ID (set by this or an earlier event's `id:`), when the stream set one. */
  id?: string;
  /** The reconnection time in ms the stream last asked for with `retry:`, if any. */
  retry?: number;
}

/** Options of {@link readEvents}. */
export interface ReadEventsOptions {
  /** Aborting stops the iteration with the signal's reason and cancels the body. */
  signal?: AbortSignal | null | undefined;
  /**
   * Parse `data` as JSON when it is valid JSON. Turn off for text streams, where `42` or
   * `true` must stay strings.
   * @default true
   */
  json?: boolean | undefined;
}

/** The events of one response, iterated once, with what a caller needs to resume. */
export interface EventStream extends AsyncIterableIterator<ServerSentEvent> {
  /**
   * The last event ID so far ("" when none): send it as `Last-Event-ID` to resume a GET
   * stream from a server that supports it.
   */
  readonly lastEventId: string;
  /** The reconnection time in ms the stream asked for with `retry:`, if it did. */
  readonly retry: number | undefined;
}

/**
 * Reads a `text/event-stream` response as an async iterator of events, parsed by the WHATWG
 * rules an `EventSource` follows (any line ending, multi-line `data`, comments such as
 * `: ping` skipped, an unfinished last event dropped, UTF-8 split across chunks).
 *
 * Before the first event it checks the response: not 2xx → `ProblemError` (with the
 * problem+json `code`); 2xx but not `text/event-stream` → `TypeError`; 204 → no events (as
 * `EventSource` treats 204: the server says there is nothing to read). A `ReadableStream` is
 * read as it is.
 *
 * Leaving the loop (`break`, `return`, a throw) or aborting `signal` cancels the body, which
 * closes the connection; the proxy then aborts its upstream request. It never reconnects:
 * see `streamEvents` and the docs for resuming.
 *
 * @example
 * ```ts
 * const response = await api("/api/agent/chat", { method: "POST", headers, body, signal });
 * for await (const { event, data } of readEvents(response, { signal })) {
 *   if (event === "delta") append((data as { text: string }).text);
 * }
 * ```
 */
export function readEvents(
  source: Response | ReadableStream<Uint8Array>,
  options: ReadEventsOptions = {},
): EventStream {
  return new Events(source, options);
}

class Events implements EventStream {
  readonly #parser = new EventStreamParser();
  readonly #iterator: AsyncGenerator<ServerSentEvent, undefined>;

  constructor(source: Response | ReadableStream<Uint8Array>, options: ReadEventsOptions) {
    this.#iterator = this.#run(source, options.signal ?? undefined, options.json ?? true);
  }

  get lastEventId(): string {
    return this.#parser.lastEventId;
  }

  get retry(): number | undefined {
    return this.#parser.retry;
  }

  next(): Promise<IteratorResult<ServerSentEvent, undefined>> {
    return this.#iterator.next();
  }

  return(): Promise<IteratorResult<ServerSentEvent, undefined>> {
    return this.#iterator.return(undefined);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async *#run(
    source: Response | ReadableStream<Uint8Array>,
    signal: AbortSignal | undefined,
    json: boolean,
  ): AsyncGenerator<ServerSentEvent, undefined> {
    signal?.throwIfAborted();
    const body = source instanceof ReadableStream ? source : await bodyOf(source);
    if (body === null) return undefined;
    const reader = body.getReader();
    let finished = false;
    // Cancelling ends a pending read() at once, with done: true; the loop then throws.
    const onAbort = () => void reader.cancel(signal?.reason).catch(() => {});
    signal?.addEventListener("abort", onAbort);
    try {
      for (;;) {
        const { done, value } = await reader.read();
        signal?.throwIfAborted();
        if (done) {
          finished = true;
          this.#parser.end();
          return undefined;
        }
        for (const parsed of this.#parser.push(value)) {
          yield toEvent(parsed, json);
          signal?.throwIfAborted();
        }
      }
    } finally {
      signal?.removeEventListener("abort", onAbort);
      // The consumer left early or something threw: release the connection. Not awaited, so
      // that leaving a loop never waits on the network.
      if (!finished) void reader.cancel(signal?.reason).catch(() => {});
    }
  }
}

async function bodyOf(response: Response): Promise<ReadableStream<Uint8Array> | null> {
  if (!response.ok) throw await ProblemError.fromResponse(response);
  const type = mediaTypeOf(response.headers);
  if (response.status === 204) return null;
  if (type !== "text/event-stream") {
    await response.body?.cancel().catch(() => {});
    throw new TypeError(
      `Expected a text/event-stream response, got ${type ?? "no Content-Type"} (status ${response.status}).`,
    );
  }
  return response.body;
}

function toEvent(parsed: ParsedEvent, json: boolean): ServerSentEvent {
  const event: ServerSentEvent = {
    event: parsed.type,
    data: json ? parseJson(parsed.data) : parsed.data,
  };
  if (parsed.lastEventId !== "") event.id = parsed.lastEventId;
  if (parsed.retry !== undefined) event.retry = parsed.retry;
  return event;
}

function parseJson(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}
