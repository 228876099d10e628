import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import type { HeaderReader, Incoming } from "../proxy/incoming.js";

/** An RFC 9110 §5.1 field name, as `Headers` requires it. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** What `Headers` refuses in a value, once trimmed (Fetch §2.2: header value). */
const BREAKING = /[\0\r\n]/;

/** HTTP whitespace at either end, which `Headers` trims off (Fetch §2.2: normalize). */
const PADDED = /^[\t\n\r ]+|[\t\n\r ]+$/g;

/**
 * The request's headers as `new Headers(rawHeaders)` reads them: names lower-cased, repeated
 * fields joined with `, ` (`Cookie` with `; `), values trimmed, iteration sorted by name, and
 * the same refusals (a name that is no token, a value with CR, LF or NUL), at a fraction of
 * the cost: no WebIDL conversions, no lazy sort of a header list.
 */
class NodeHeaders implements HeaderReader {
  private readonly fields = new Map<string, string>();
  /** `Headers` iterates each `Set-Cookie` apart (Fetch §2.2: sort and combine). */
  private readonly setCookie: string[] = [];

  constructor(raw: readonly string[]) {
    const fields = this.fields;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = (raw[i] as string).toLowerCase();
      let value = raw[i + 1] as string;
      if (value !== "" && (value.charCodeAt(0) <= 32 || value.charCodeAt(value.length - 1) <= 32)) {
        value = value.replace(PADDED, "");
      }
      if (!TOKEN.test(name) || BREAKING.test(value)) throw new TypeError("invalid header");
      if (name === "set-cookie") this.setCookie.push(value);
      const seen = fields.get(name);
      fields.set(
        name,
        seen === undefined ? value : `${seen}${name === "cookie" ? "; " : ", "}${value}`,
      );
    }
  }

  get(name: string): string | null {
    return this.fields.get(name.toLowerCase()) ?? null;
  }

  *[Symbol.iterator](): IterableIterator<[string, string]> {
    const fields = this.fields;
    for (const name of [...fields.keys()].sort()) {
      if (name === "set-cookie") for (const value of this.setCookie) yield [name, value];
      else yield [name, fields.get(name) as string];
    }
  }
}

/** The last Host that parsed into a URL: a keep-alive connection sends the same one each time. */
let goodOrigin = "";

/**
 * The proxy's view of a `node:http` request, without a `Request` until one is asked for.
 * Throws where `new Request` would: a header it refuses, or a URL that does not parse from
 * the Host header (the authority ends inside `scheme://host/`, so the target cannot change that).
 */
export function nodeIncoming(
  req: IncomingMessage,
  method: string,
  scheme: string,
  signal: AbortSignal,
): Incoming {
  const headers = new NodeHeaders(req.rawHeaders);
  const origin = `${scheme}://${req.headers.host ?? "localhost"}`;
  if (origin !== goodOrigin) {
    if (!URL.canParse(`${origin}/`)) throw new TypeError("invalid URL");
    goodOrigin = origin;
  }
  const href = origin + (req.url as string);
  let url: URL | undefined;
  let request: Request | undefined;
  return {
    method,
    headers,
    signal,
    protocol: `${scheme}:`,
    // Read only when the request has no Host header: then as `new URL(href)` has it.
    get host() {
      return this.url().host;
    },
    url: () => {
      url ??= new URL(href);
      return url;
    },
    request: () => {
      request ??= toRequest(req, href, method, signal);
      return request;
    },
  };
}

/** The Fetch `Request` for a token source, a hook or a body: the one `toNodeListener` built. */
export function toRequest(
  req: IncomingMessage,
  href: string,
  method: string,
  signal: AbortSignal,
): Request {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
  }
  const hasBody = method !== "GET" && method !== "HEAD";
  return new Request(href, {
    method,
    headers,
    signal,
    ...(hasBody
      ? ({ body: Readable.toWeb(req) as ReadableStream, duplex: "half" } as RequestInit)
      : {}),
  });
}
