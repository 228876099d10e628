/**
 * The one SSE parser of the API's tests: eventsource-parser, a WHATWG implementation written
 * apart from our writer (src/sse.ts), so a framing mistake cannot hide behind a parser that
 * shares it. Not imported by application code.
 */
import { createParser, type EventSourceMessage } from "eventsource-parser";

export type { EventSourceMessage } from "eventsource-parser";

/** Options of {@link readSse}. */
export interface ReadSseOptions {
  /**
   * Fail on anything a well-formed stream of ours never holds: a comment, an unknown field, an
   * invalid `retry`, or bytes after the last blank line (an event cut off).
   * @default false (comments such as `: ping` are skipped, as a browser does)
   */
  strict?: boolean;
}

/**
 * Yields the events of an event stream as they arrive, by the rules an `EventSource` follows.
 *
 * @example
 * ```ts
 * for await (const { event, data } of readSse(response)) if (event === "done") break;
 * ```
 */
export async function* readSse(
  source: Response | ReadableStream<Uint8Array>,
  options: ReadSseOptions = {},
): AsyncGenerator<EventSourceMessage> {
  const body = source instanceof Response ? source.body : source;
  if (body === null) return;
  const parsed: EventSourceMessage[] = [];
  const { parser, finish } = parserInto(parsed, options);
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      const text = done ? decoder.decode() : decoder.decode(value, { stream: true });
      parser.feed(text);
      finish.track(text);
      yield* parsed.splice(0);
      if (done) break;
    }
    finish.check();
  } finally {
    // Leaving early (break, a failed assertion) closes the connection, as a browser would.
    await reader.cancel().catch(() => {});
  }
}

/**
 * Every event of a whole stream's text.
 *
 * @example
 * ```ts
 * parseSse('event: delta\ndata: {"text":"Hi"}\n\n'); // [{ event: "delta", data: '{"text":"Hi"}', id: undefined }]
 * ```
 */
export function parseSse(text: string, options: ReadSseOptions = {}): EventSourceMessage[] {
  const parsed: EventSourceMessage[] = [];
  const { parser, finish } = parserInto(parsed, options);
  parser.feed(text);
  finish.track(text);
  finish.check();
  return parsed;
}

function parserInto(events: EventSourceMessage[], { strict = false }: ReadSseOptions) {
  const fail = (why: string) => {
    throw new Error(`Not a well-formed event stream: ${why}`);
  };
  const parser = createParser({
    onEvent: (event) => events.push(event),
    ...(strict
      ? {
          onComment: (comment: string) => fail(`a comment (${JSON.stringify(comment)})`),
          onError: (error: Error) => fail(error.message),
        }
      : {}),
  });
  let tail = "";
  const finish = {
    /** Keeps what follows the last blank line, to tell a finished stream from a cut one. */
    track(text: string) {
      tail = (tail + text).slice(-2);
    },
    check() {
      if (strict && tail !== "" && !tail.endsWith("\n\n"))
        fail("it does not end with a blank line");
    },
  };
  return { parser, finish };
}
