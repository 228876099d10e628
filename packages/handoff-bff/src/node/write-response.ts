import type { ServerResponse } from "node:http";

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
  const reader = response.body.getReader();
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
