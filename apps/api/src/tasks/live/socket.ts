/**
 * The live feed over a WebSocket (docs/api/tasks.md, "Live changes over a WebSocket"): one JSON
 * text frame per event, a ping every 15 s, and the close codes the dashboard acts on.
 */
import type { WebSocket } from "ws";
import type { FeedEnd, FeedEvent, FeedSink } from "./feed.js";

/** RFC 6455 §7.4: 1001 going away, 1008 policy violation, 1011 internal error; 4401 is ours. */
const CLOSE: Readonly<Record<FeedEnd | "expired", number>> = {
  drain: 1001,
  // Behind by more than the feed buffers for anyone: the stream limits, as 429 is before it.
  slow: 1008,
  error: 1011,
  // RFC 6455 §7.4.2 leaves 4000–4999 to applications: 401's meaning, after the handshake.
  expired: 4401,
};

/** setTimeout's longest delay (2^31 − 1 ms); a longer one would fire at once. */
const MAX_DELAY = 2_147_483_647;

/**
 * What a frame of the feed weighs, roughly (a UUID, an ETag, a type, a number): `ws` counts what
 * waits to be sent in bytes, the feed in events.
 */
const FRAME_BYTES = 128;

/** Options of {@link createTaskSocket}. */
export interface TaskSocketOptions {
  /** When the caller's token expires (ms since the epoch, `exp` × 1000): the socket closes then. */
  expiresAt: number;
  /**
   * Interval of the ping frames; a peer that has not answered the previous one is cut.
   * @default 15_000
   */
  heartbeatMs?: number;
}

/**
 * A feed sink for a socket that does not exist yet: the feed subscribes (and may refuse) before
 * the handshake, and what it sends meanwhile waits for {@link TaskSocket.attach}.
 */
export interface TaskSocket {
  readonly sink: FeedSink;
  /** Hands over the open socket; `gone` is called once when it closes. */
  attach(ws: WebSocket, gone: () => void): void;
}

/**
 * Creates the socket's side of one subscription.
 *
 * @example
 * ```ts
 * const socket = createTaskSocket({ expiresAt: principal.claims.exp * 1000 });
 * const subscription = feed.subscribe(scope, socket.sink, after);
 * upgrade.accept((ws) => socket.attach(ws, subscription.cancel), subscription.cancel);
 * ```
 */
export function createTaskSocket(options: TaskSocketOptions): TaskSocket {
  const { expiresAt, heartbeatMs = 15_000 } = options;
  let ws: WebSocket | undefined;
  const early: string[] = [];
  let ended: number | undefined;
  return {
    sink: {
      send(event: FeedEvent) {
        const frame = JSON.stringify(event);
        if (ws === undefined) early.push(frame);
        else ws.send(frame);
      },
      end(why) {
        if (ws === undefined) ended ??= CLOSE[why];
        else ws.close(CLOSE[why]);
      },
      get queued() {
        return ws === undefined ? early.length : Math.ceil(ws.bufferedAmount / FRAME_BYTES);
      },
    },
    attach(socket, gone) {
      ws = socket;
      let alive = true;
      const heartbeat = setInterval(() => {
        if (!alive) return socket.terminate();
        alive = false;
        socket.ping();
      }, heartbeatMs);
      const expiry = setTimeout(
        () => socket.close(CLOSE.expired, "token expired"),
        Math.min(MAX_DELAY, Math.max(0, expiresAt - Date.now())),
      );
      socket.on("pong", () => {
        alive = true;
      });
      // Whatever the client sends is ignored; a protocol error (a frame over the limit) is
      // answered by `ws` with its close code, and would crash the process unlistened.
      socket.on("error", () => {});
      socket.once("close", () => {
        clearInterval(heartbeat);
        clearTimeout(expiry);
        gone();
      });
      for (const frame of early.splice(0)) socket.send(frame);
      if (ended !== undefined) socket.close(ended);
    },
  };
}
