/**
 * An incremental parser for `text/event-stream`, following the WHATWG HTML "Interpreting an
 * event stream" rules (§9.2.6) exactly, so that what a browser's `EventSource` would dispatch,
 * this dispatches too. Bytes in, events out; no I/O.
 */

/** An event as the spec dispatches it: the type, the data buffer and the last event ID. */
export interface ParsedEvent {
  type: string;
  data: string;
  /** The last event ID string at dispatch time ("" when the stream never set one). */
  lastEventId: string;
  /** The reconnection time the stream last set, in ms, if it set one. */
  retry: number | undefined;
}

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;

export class EventStreamParser {
  // The spec decodes with "UTF-8 decode": a leading BOM is dropped, invalid bytes become
  // U+FFFD. `stream: true` keeps a multi-byte character split between chunks intact.
  readonly #decoder = new TextDecoder("utf-8");
  /** The part of the current line received so far. */
  #line = "";
  /** The previous text ended with CR: a LF at the start of the next belongs to it (CRLF). */
  #afterCR = false;
  #type = "";
  #data = "";
  #idBuffer = "";
  /** The last event ID string: set from the ID buffer on every dispatch (even of nothing). */
  lastEventId = "";
  retry: number | undefined;

  /** Feeds a chunk and returns the events it completed. */
  push(chunk: Uint8Array): ParsedEvent[] {
    const events: ParsedEvent[] = [];
    this.#feed(this.#decoder.decode(chunk, { stream: true }), events);
    return events;
  }

  /**
   * The stream ended: "any pending data must be discarded", so an event without its final
   * blank line is never dispatched.
   */
  end(): void {
    this.#feed(this.#decoder.decode(), []);
    this.#line = "";
    this.#type = "";
    this.#data = "";
  }

  #feed(text: string, events: ParsedEvent[]): void {
    if (text === "") return;
    let start = 0;
    if (this.#afterCR && text.charCodeAt(0) === LF) start = 1;
    this.#afterCR = false;
    for (let i = start; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code !== LF && code !== CR) continue;
      const line = this.#line + text.slice(start, i);
      this.#line = "";
      this.#processLine(line, events);
      if (code === CR) {
        if (i + 1 === text.length) this.#afterCR = true;
        else if (text.charCodeAt(i + 1) === LF) i++;
      }
      start = i + 1;
    }
    this.#line += text.slice(start);
  }

  #processLine(line: string, events: ParsedEvent[]): void {
    if (line === "") {
      this.#dispatch(events);
      return;
    }
    if (line.charCodeAt(0) === COLON) return; // a comment, such as ": ping"
    const colon = line.indexOf(":");
    let field = line;
    let value = "";
    if (colon !== -1) {
      field = line.slice(0, colon);
      // Only one space after the colon is part of the syntax; further spaces are data.
      value = line.slice(line.charCodeAt(colon + 1) === SPACE ? colon + 2 : colon + 1);
    }
    switch (field) {
      case "event":
        this.#type = value;
        break;
      case "data":
        this.#data += `${value}\n`;
        break;
      case "id":
        if (!value.includes("\0")) this.#idBuffer = value;
        break;
      case "retry":
        // ASCII digits only, else ignored. Huge values are ignored too (not in the spec), so
        // that a caller can pass `retry` to setTimeout as it is.
        if (/^[0-9]+$/.test(value) && Number.isSafeInteger(Number(value))) {
          this.retry = Number(value);
        }
        break;
      default:
        break; // unknown fields are ignored
    }
  }

  #dispatch(events: ParsedEvent[]): void {
    this.lastEventId = this.#idBuffer;
    if (this.#data === "") {
      this.#type = "";
      return;
    }
    events.push({
      type: this.#type === "" ? "message" : this.#type,
      data: this.#data.slice(0, -1),
      lastEventId: this.lastEventId,
      retry: this.retry,
    });
    this.#type = "";
    this.#data = "";
  }
}
