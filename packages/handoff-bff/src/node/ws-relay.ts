import type { Duplex } from "node:stream";
import { CLOSE, type WebSocketGrant } from "../proxy/websocket.js";
import { closeFrame, FrameTracker } from "./ws-frames.js";

/** How long a side may take to finish closing once the proxy closed it. */
const CLOSE_GRACE_MS = 1000;

/**
 * Relays a WebSocket after both handshakes: bytes as they come, each way, with backpressure
 * (a side that does not read pauses the other), frames, close codes and extensions end to end.
 * The proxy itself closes both sides for idleness (1001), a message over the limit (1009) and
 * a session that ended (4401).
 */
export function relay(
  client: Duplex,
  upstream: Duplex,
  early: { client: Buffer; upstream: Buffer },
  grant: WebSocketGrant,
): void {
  const toUpstream = new FrameTracker(grant.maxMessageBytes);
  const toClient = new FrameTracker(grant.maxMessageBytes);
  let closing = false;
  let last = Date.now();
  let idle: ReturnType<typeof setTimeout> | undefined;

  const shut = (code: number, reason: string) => {
    if (closing) return;
    closing = true;
    finish();
    // A close frame where the stream is between frames; elsewhere only a cut is honest.
    for (const [socket, tracker, masked] of [
      [client, toClient, false],
      [upstream, toUpstream, true],
    ] as const) {
      if (socket.destroyed) continue;
      if (tracker.atBoundary) socket.end(closeFrame(code, reason, masked));
      else socket.destroy();
      setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
    }
  };
  const stopWatching = grant.watch(shut);
  const finish = () => {
    clearTimeout(idle);
    stopWatching();
  };
  const armIdle = (ms: number) => {
    idle = setTimeout(() => {
      const quiet = Date.now() - last;
      if (quiet >= grant.idleTimeout) shut(CLOSE.idle, "idle timeout");
      else armIdle(grant.idleTimeout - quiet);
    }, ms);
    idle.unref();
  };
  armIdle(grant.idleTimeout);

  const pass = (from: Duplex, to: Duplex, tracker: FrameTracker, chunk: Buffer) => {
    if (closing) return;
    last = Date.now();
    const { forward, tooBig } = tracker.feed(chunk);
    if (forward.length > 0 && !to.write(forward)) {
      from.pause();
      to.once("drain", () => from.resume());
    }
    if (tooBig) shut(CLOSE.tooBig, "message too big");
  };
  const wire = (from: Duplex, to: Duplex, tracker: FrameTracker, head: Buffer) => {
    // A failed socket also emits `close`, where the other side is dealt with.
    from.on("error", () => {});
    from.on("data", (chunk: Buffer) => pass(from, to, tracker, chunk));
    from.on("end", () => to.end());
    from.on("close", () => {
      finish();
      // A reset on one side is one on the other; a clean end has already been passed on.
      if (!to.writableEnded) to.destroy();
    });
    if (head.length > 0) pass(from, to, tracker, head);
  };
  wire(client, upstream, toUpstream, early.client);
  wire(upstream, client, toClient, early.upstream);
}
