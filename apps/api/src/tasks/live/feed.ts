/**
 * The live task feed of one instance: every event stream open here, grouped by tenant, fed by
 * the instance's {@link ChangeSource} and caught up from the shared {@link TaskChangeLog}, so a
 * client resumes on whichever instance its reconnection reaches. Every stream is bounded: so
 * many per user and per tenant, and a reader that falls behind is told to `resync` and dropped
 * rather than buffered for without end.
 */
import { NotReadyError } from "../../errors.js";
import { createSseStream, type SseWriter } from "../../sse.js";
import { TooManyStreamsError } from "../errors.js";
import type { Scope } from "../model.js";
import { type TaskChange, type TaskChangeLog, type TaskChangeType, tenantKey } from "./changes.js";
import type { ChangeSignal, ChangeSource } from "./listen.js";

/** Options of {@link createTaskFeed}. */
export interface TaskFeedOptions {
  source: ChangeSource;
  log: TaskChangeLog;
  /** Where a stream that failed to catch up is reported. */
  logger?: { warn(fields: object, message: string): void } | undefined;
  /**
   * Streams one user may hold on one instance (a tab each; HTTP/1.1 browsers allow six
   * connections per origin, so more would starve the page anyway).
   * @default 6
   */
  maxPerUser?: number;
  /** @default 100 */
  maxPerTenant?: number;
  /**
   * Events a stream may have waiting, unread by a slow client or not yet processed; past it the
   * stream gets `resync` and ends. Also the most changes a reconnection is caught up with.
   * @default 256
   */
  maxQueued?: number;
  /**
   * Silence after which a `: ping` comment is sent (nginx's `proxy_read_timeout` is 60 s).
   * @default 15_000
   */
  heartbeatMs?: number;
}

/**
 * One event of a stream, whichever transport carries it (SSE or WebSocket). Members in the order
 * the WebSocket frames show them.
 */
export type FeedEvent =
  | { readonly type: "ready"; readonly seq: number }
  | {
      readonly type: `task.${TaskChangeType}`;
      readonly id: string;
      readonly etag: string;
      readonly seq: number;
    }
  | { readonly type: "resync"; readonly reason: "gap" | "cursor" | "slow"; readonly seq: number };

/** Why the feed ends a stream: the instance drains, the reader is too slow, the database failed. */
export type FeedEnd = "drain" | "slow" | "error";

/** Where one stream's events go: an SSE body or a WebSocket. */
export interface FeedSink {
  send(event: FeedEvent): void;
  /** The feed is done with this stream; nothing is sent after it. */
  end(why: FeedEnd): void;
  /** Events sent but not yet taken by the client's connection: how far it has fallen behind. */
  readonly queued: number;
}

/** One stream's place in the feed. */
interface FeedSubscription {
  /** The client went away: leave the feed, without touching the sink. */
  cancel(): void;
}

/** The feed, as the routes and the composition root use it. */
export interface TaskFeed {
  /** Starts listening; rejects when the listener cannot connect (a start-up error). */
  start(): Promise<void>;
  /**
   * Feeds `sink` the caller's tenant's changes, resuming after `after` (a sequence number) when
   * given; the one code path of every transport.
   * @throws `ERR_TOO_MANY_STREAMS` past a limit; `ERR_NOT_READY` once closing.
   */
  subscribe(scope: Scope, sink: FeedSink, after?: string): FeedSubscription;
  /**
   * A new event stream (SSE) of the caller's tenant, resuming after `lastEventId` when given.
   * @throws `ERR_TOO_MANY_STREAMS` past a limit; `ERR_NOT_READY` once closing.
   */
  open(scope: Scope, lastEventId?: string): ReadableStream<Uint8Array>;
  /** Ends every stream (clients reconnect elsewhere and resume), refuses new ones, stops listening. */
  close(): Promise<void>;
}

/** What the feed keeps of one stream. */
interface Subscriber extends FeedSubscription {
  readonly userId: string;
  push(signal: ChangeSignal): void;
  end(why: FeedEnd): void;
}

/** A `Last-Event-ID` this API could have sent: a sequence number. */
const CURSOR = /^(0|[1-9]\d{0,14})$/;

/**
 * Creates the feed.
 *
 * @example
 * ```ts
 * const feed = createTaskFeed({ source: database.listen(), log: database.changeLog, logger });
 * await feed.start();
 * const body = feed.open({ tenantId: "acme", userId: "u1" }, request.headers.get("last-event-id") ?? undefined);
 * ```
 */
export function createTaskFeed(options: TaskFeedOptions): TaskFeed {
  const { source, log, logger, maxPerUser = 6, maxPerTenant = 100 } = options;
  const { maxQueued = 256, heartbeatMs = 15_000 } = options;
  const tenants = new Map<string, Set<Subscriber>>();
  let closing = false;

  const dispatch = (signal: ChangeSignal) => {
    const targets =
      signal.kind === "gap" ? [...tenants.values()] : [tenants.get(signal.key) ?? new Set()];
    for (const subscribers of targets)
      for (const subscriber of subscribers) subscriber.push(signal);
  };

  /** Serves one stream: catches up, then relays changes in sequence, filling holes from the log. */
  function serve(scope: Scope, sink: FeedSink, lastEventId: string | undefined, leave: () => void) {
    const { tenantId } = scope;
    const pending: ChangeSignal[] = [];
    let cursor = 0;
    let started = false;
    let running = false;
    let done = false;

    const stop = () => {
      done = true;
      pending.length = 0;
      leave();
    };
    const send = (change: TaskChange) => {
      if (done) return;
      const { type, id, etag, seq } = change;
      sink.send({ type: `task.${type}`, id, etag, seq });
      cursor = seq;
      if (sink.queued > maxQueued) overflow();
    };
    /** Tells the client to reload its list, from the latest change on. */
    const resync = async (reason: "gap" | "cursor" | "slow") => {
      cursor = await log.latest(tenantId);
      sink.send({ type: "resync", reason, seq: cursor });
    };
    const catchUp = async () => {
      const missed = await log.since(tenantId, cursor);
      if (missed === undefined || missed.length + sink.queued > maxQueued) return resync("gap");
      for (const change of missed) send(change);
    };
    const overflow = () => {
      stop();
      void resync("slow")
        .catch(() => {})
        .finally(() => sink.end("slow"));
    };
    const pump = async () => {
      if (running || done) return;
      running = true;
      try {
        if (!started) {
          started = true;
          if (lastEventId === undefined) cursor = await log.latest(tenantId);
          else if (!CURSOR.test(lastEventId)) await resync("cursor");
          else {
            cursor = Number(lastEventId);
            await catchUp();
          }
          if (!done) sink.send({ type: "ready", seq: cursor });
        }
        while (!done && pending.length > 0) {
          const signal = pending.shift()!;
          if (signal.kind === "gap" || signal.change.seq > cursor + 1) await catchUp();
          else if (signal.change.seq === cursor + 1) send(signal.change);
          // Anything older was sent already, by the catch-up that read it from the log.
        }
      } catch (error) {
        // The database failed us: end the stream; the client resumes from its Last-Event-ID.
        logger?.warn({ err: error }, "task event stream could not catch up");
        stop();
        sink.end("error");
      } finally {
        running = false;
      }
    };
    void pump();
    return {
      userId: scope.userId,
      push(signal: ChangeSignal) {
        if (done) return;
        if (pending.length >= maxQueued) return overflow();
        pending.push(signal);
        void pump();
      },
      end(why: FeedEnd) {
        stop();
        sink.end(why);
      },
      cancel: stop,
    };
  }

  const subscribe = (scope: Scope, sink: FeedSink, after?: string): FeedSubscription => {
    if (closing) throw new NotReadyError();
    const key = tenantKey(scope.tenantId);
    const subscribers = tenants.get(key) ?? new Set<Subscriber>();
    const mine = [...subscribers].filter((other) => other.userId === scope.userId);
    if (mine.length >= maxPerUser) throw new TooManyStreamsError("user");
    if (subscribers.size >= maxPerTenant) throw new TooManyStreamsError("tenant");
    tenants.set(key, subscribers);
    const subscriber = serve(scope, sink, after, () => {
      subscribers.delete(subscriber);
      if (subscribers.size === 0 && tenants.get(key) === subscribers) tenants.delete(key);
    });
    subscribers.add(subscriber);
    return subscriber;
  };

  return {
    start: () => source.start(dispatch),
    subscribe,
    open(scope, lastEventId) {
      let subscription: FeedSubscription | undefined;
      // Refused before the response starts, so the route answers the error, not a broken stream.
      let refused: unknown;
      const body = createSseStream(
        (writer) => {
          try {
            subscription = subscribe(scope, sseSink(writer), lastEventId);
          } catch (error) {
            refused = error;
          }
        },
        { heartbeatMs, onCancel: () => subscription?.cancel() },
      );
      if (refused !== undefined) throw refused;
      return body;
    },
    async close() {
      closing = true;
      for (const subscribers of [...tenants.values()]) {
        for (const subscriber of [...subscribers]) subscriber.end("drain");
      }
      await source.close();
    },
  };
}

/** An SSE body as a sink: the event's type is the `event:`, its `seq` the `id:`, the rest `data:`. */
function sseSink(writer: SseWriter): FeedSink {
  return {
    send({ type, seq, ...data }) {
      writer.write({ event: type, id: String(seq), data: JSON.stringify(data) });
    },
    end: () => writer.close(),
    get queued() {
      return writer.queued;
    },
  };
}
