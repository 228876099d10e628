/**
 * Test fixture: a `ws` client for the WebSocket routes that records every frame and the close,
 * or the refused handshake's HTTP answer. Not imported by application code.
 */
import { WebSocket } from "ws";

/** A refused handshake: the status and problem+json body the server wrote on the socket. */
export interface Refusal {
  readonly status: number;
  readonly body: string;
}

/** A frame of the live feed, as the contract in docs/api/tasks.md describes it. */
interface LiveFrame {
  readonly type: string;
  readonly seq?: number;
  readonly id?: string;
  readonly etag?: string;
  readonly reason?: string;
}

/** An open socket's frames, parsed, and how it closed. */
export interface LiveClient {
  readonly ws: WebSocket;
  /** The next frame, failing after `ms`. */
  next(ms?: number): Promise<LiveFrame>;
  /** The close code, failing when the socket is still open after `ms`. */
  closed(ms?: number): Promise<number>;
}

/**
 * Connects to `path` of `base` with `Authorization: Bearer <token>` when a token is given;
 * resolves with the client once open, or with the refusal.
 *
 * @example
 * ```ts
 * const live = await connectLive(api.url, "/api/tasks/live", token);
 * if ("status" in live) throw new Error("refused");
 * expect(await live.next()).toMatchObject({ type: "ready" });
 * ```
 */
export function connectLive(
  base: URL,
  path: string,
  token?: string,
): Promise<LiveClient | Refusal> {
  const url = new URL(path, base);
  url.protocol = "ws:";
  const ws = new WebSocket(url, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  const frames: LiveFrame[] = [];
  const waiting: ((frame: LiveFrame) => void)[] = [];
  let code: number | undefined;
  const onClose: ((code: number) => void)[] = [];
  ws.on("message", (data) => {
    const frame = JSON.parse(String(data)) as LiveFrame;
    const waiter = waiting.shift();
    if (waiter === undefined) frames.push(frame);
    else waiter(frame);
  });
  ws.on("close", (closeCode) => {
    code = closeCode;
    for (const done of onClose.splice(0)) done(closeCode);
  });
  const within = <T>(ms: number, what: string, promise: Promise<T>) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
    });
    return Promise.race([promise, late]).finally(() => clearTimeout(timer));
  };
  const client: LiveClient = {
    ws,
    next: (ms = 1_000) =>
      frames.length > 0
        ? Promise.resolve(frames.shift() as LiveFrame)
        : within(ms, "frame", new Promise<LiveFrame>((resolve) => waiting.push(resolve))),
    closed: (ms = 1_000) =>
      code !== undefined
        ? Promise.resolve(code)
        : within(ms, "close", new Promise<number>((resolve) => onClose.push(resolve))),
  };
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(client));
    ws.once("unexpected-response", (_request, response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        body += chunk;
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    ws.once("error", reject);
  });
}
