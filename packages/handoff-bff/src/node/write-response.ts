import type { ServerResponse } from "node:http";
import type { ClientAnswer } from "../proxy/incoming.js";

/** HTTP whitespace at either end, which `Headers` trims off (Fetch §2.2: normalize). */
const PADDED = /^[\t\n\r ]+|[\t\n\r ]+$/g;

/**
 * Writes a {@link ClientAnswer} with the header lines `writeResponse` writes for the `Response`
 * it would become (names sorted, repeated fields joined, each `Set-Cookie` apart), and a whole
 * body in the one `end`: no `Headers`, no `Response`, no stream for a small body.
 */
export function writeAnswer(
  answer: ClientAnswer,
  res: ServerResponse,
  signal?: AbortSignal,
): Promise<void> {
  res.writeHead(answer.status, headerFields(answer.headers));
  const body = answer.body;
  if (body === null) res.end();
  else if (!(body instanceof ReadableStream)) res.end(body);
  else return pipe(body, res, signal);
  return Promise.resolve();
}

/** The fields `new Headers(pairs)` would hold, in the order it iterates them. */
function headerFields(pairs: ReadonlyArray<[string, string]>): Record<string, string | string[]> {
  const joined = new Map<string, string>();
  const cookies: string[] = [];
  for (const [name, raw] of pairs) {
    const value =
      raw !== "" && (raw.charCodeAt(0) <= 32 || raw.charCodeAt(raw.length - 1) <= 32)
        ? raw.replace(PADDED, "")
        : raw;
    if (name === "set-cookie") {
      cookies.push(value);
      continue;
    }
    const seen = joined.get(name);
    joined.set(
      name,
      seen === undefined ? value : `${seen}${name === "cookie" ? "; " : ", "}${value}`,
    );
  }
  const headers: Record<string, string | string[]> = {};
  for (const name of [...joined.keys()].sort()) headers[name] = joined.get(name) as string;
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  return headers;
}

/**
 * Writes a Fetch `Response` to a Node response: headers (each `Set-Cookie` apart), then the
 * body with backpressure. `signal` aborts the body read when the client leaves.
 */
export async function writeResponse(
  response: Response,
  res: ServerResponse,
  signal?: AbortSignal,
): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of response.headers) {
    if (name !== "set-cookie") headers[name] = value;
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  res.writeHead(response.status, headers);
  if (response.body === null) {
    res.end();
    return;
  }
  await pipe(response.body, res, signal);
}

/** The body with backpressure; `signal` cancels the read when the client leaves. */
async function pipe(
  body: ReadableStream<Uint8Array>,
  res: ServerResponse,
  signal?: AbortSignal,
): Promise<void> {
  const reader = body.getReader();
  signal?.addEventListener("abort", () => reader.cancel(signal.reason).catch(() => {}), {
    once: true,
  });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await drained(res);
      if (res.destroyed) break;
    }
    res.end();
  } catch {
    // The upstream failed mid-body (or the client left): the status is already sent, so the
    // only honest signal left is to cut the connection.
    res.destroy();
  }
}

/**
 * Resolves at `drain`, or at `close` when the client leaves first. Both listeners go when
 * either fires: a large download waits thousands of times on one response, and a listener
 * left behind per wait leaks (Node warns at the eleventh: MaxListenersExceededWarning).
 */
function drained(res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
