import type { TaskEvent } from "./types";

/** The API's feed through Handoff's `/api/proxy` mount; a WebSocket under the front door only. */
const LIVE_PATH = "/api/proxy/api/tasks/live";

/** `connecting` until the first `ready`; `live` while the feed is; `offline` between tries. */
export type LiveState = "connecting" | "live" | "offline";

/** What the feed tells the page. */
export interface LiveHandlers {
  /** A task changed (here, in another tab, by the agent, through MCP, on another instance). */
  onEvent(event: TaskEvent): void;
  /** The feed cannot say what was missed (`resync`, or a first connection): reload the list. */
  onResync(): void;
  onState(state: LiveState): void;
  /**
   * After close 4401: whether the session still holds (`true`: only the socket's JWT expired,
   * so a new socket gets a new one). Going to sign-in when it does not is the caller's part.
   */
  checkSession(): Promise<boolean>;
}

export interface LiveOptions {
  /** The feed's URL without a query; default: {@link LIVE_PATH} on this page's origin. */
  url?: string;
  WebSocket?: typeof WebSocket;
  random?: () => number;
}

/** Backoff between tries: 0.5 s, doubling to 30 s, each drawn from its upper half (jitter). */
const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;
/** Close code of an ended session or expired JWT, from the proxy or the API. */
const SESSION_ENDED = 4401;

/**
 * Follows the tenant's task changes over a WebSocket (`GET /api/tasks/live`, through the front
 * door, which adds the session's JWT: the page never holds a token). Reconnects with backoff,
 * resuming after the last sequence number seen (`?after=`), so nothing is missed across a drop;
 * the API answers `resync` when it cannot replay. Returns the function that stops it.
 *
 * @example
 * ```ts
 * const stop = followTasks({
 *   onEvent: (event) => void store.apply(event),
 *   onResync: () => void store.refresh(),
 *   onState: setState,
 *   checkSession: async () => (await send("/api/proxy/api/me")).ok,
 * });
 * ```
 */
export function followTasks(handlers: LiveHandlers, options: LiveOptions = {}): () => void {
  const Socket = options.WebSocket ?? WebSocket;
  const random = options.random ?? Math.random;
  const base = options.url ?? `${location.origin.replace(/^http/, "ws")}${LIVE_PATH}`;
  let after: number | null = null;
  let failures = 0;
  let socket: WebSocket | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const retry = () => {
    handlers.onState("offline");
    const ceiling = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** failures);
    failures++;
    timer = setTimeout(open, ceiling / 2 + (random() * ceiling) / 2);
  };

  const onClose = async (code: number) => {
    if (code !== SESSION_ENDED) return retry();
    handlers.onState("offline");
    let holds: boolean;
    try {
      holds = await handlers.checkSession();
    } catch {
      if (!stopped) retry();
      return;
    }
    if (holds && !stopped) open();
  };

  function open(): void {
    if (stopped) return;
    const resuming = after !== null;
    const current = new Socket(resuming ? `${base}?after=${after}` : base);
    socket = current;
    current.onmessage = (message) => {
      const event = parse(message.data);
      if (event === null) return;
      after = event.seq;
      if (event.type === "ready") {
        failures = 0;
        handlers.onState("live");
        // Changes between the page's own load and this socket were never announced to it.
        if (!resuming) handlers.onResync();
      } else if (event.type === "resync") handlers.onResync();
      else handlers.onEvent({ type: event.type, id: event.id, etag: event.etag });
    };
    current.onclose = (event) => {
      if (socket !== current || stopped) return;
      socket = null;
      void onClose(event.code);
    };
  }

  handlers.onState("connecting");
  open();
  return () => {
    stopped = true;
    clearTimeout(timer);
    socket?.close(1000);
    socket = null;
  };
}

type FeedMessage =
  | { type: "ready"; seq: number }
  | { type: "resync"; seq: number }
  | (TaskEvent & { seq: number });

const TASK_TYPES = new Set(["task.created", "task.updated", "task.deleted"]);

/** A frame of the feed, or null for anything else (a newer server's message types included). */
function parse(data: unknown): FeedMessage | null {
  if (typeof data !== "string") return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const { type, seq, id, etag } = value as Record<string, unknown>;
  if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 0) return null;
  if (type === "ready" || type === "resync") return { type, seq };
  if (typeof type !== "string" || !TASK_TYPES.has(type)) return null;
  if (typeof id !== "string" || typeof etag !== "string") return null;
  return { type: type as TaskEvent["type"], id, etag, seq };
}
