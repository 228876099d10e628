/**
 * The types of a ChatKit server, in a leaf module so that the server and the modules it calls
 * share them without importing each other.
 */
import type { ChatKitOwner, ChatKitStore } from "./store.js";
import type { ResponderOutput } from "./stream/text.js";
import type {
  Action,
  FeedbackKind,
  ThreadMetadata,
  ThreadStreamEvent,
  UserMessageItem,
  WidgetItem,
} from "./types.js";

export type { ResponderOutput } from "./stream/text.js";

/** One turn to answer. */
export interface RespondInput<TContext extends ChatKitOwner> {
  /** The thread; set `title`, `status` or `metadata` on it and the server saves and announces it. */
  thread: ThreadMetadata;
  /** The new (or retried) user message, already stored; `null` after a client tool output. */
  input: UserMessageItem | null;
  context: TContext;
  /** Aborted when the client goes away: stop promptly. */
  signal: AbortSignal;
}

/** A widget or client action to handle (`threads.custom_action`). */
export interface ActionInput<TContext extends ChatKitOwner> {
  thread: ThreadMetadata;
  action: Action;
  /** The widget item the action came from, if any. */
  sender: WidgetItem | null;
  context: TContext;
  signal: AbortSignal;
}

/** What `createChatKitServer` needs. */
export interface ChatKitServerOptions<TContext extends ChatKitOwner> {
  /** Where threads live: `memoryStore()`, `drizzleStore(db)` or your own `ChatKitStore`. */
  store: ChatKitStore;
  /**
   * Answers a turn (chatkit-python `respond`): yield protocol events, or strings, which become
   * one assistant message streamed as text deltas. `thread.item.done` items are stored; throw a
   * `ChatKitStreamError` to end with a chosen `error` event.
   */
  respond: (input: RespondInput<TContext>) => AsyncIterable<ResponderOutput>;
  /**
   * Handles `threads.custom_action`.
   * @default none: the stream ends with an `error` event, code `custom`, no retry.
   */
  action?: (input: ActionInput<TContext>) => AsyncIterable<ResponderOutput>;
  /** Records `items.feedback` (chatkit-python `add_feedback`). @default ignore it */
  addFeedback?: (
    feedback: { threadId: string; itemIds: string[]; kind: FeedbackKind },
    context: TContext,
  ) => void | Promise<void>;
  /** Lets the web component offer a stop button (`stream_options.allow_cancel`). @default true */
  allowCancel?: boolean;
  /** Page size when a request names none (chatkit-python's `DEFAULT_PAGE_SIZE`). @default 20 */
  pageSize?: number;
  /** The largest page a request may ask for; larger limits are lowered to it. @default 100 */
  maxPageSize?: number;
  /**
   * The largest body `handle()` reads, counted as it streams in (413 beyond it, whatever
   * `Content-Length` says). @default 65536
   */
  maxBodyBytes?: number;
  /** Told of an unexpected failure inside a stream, which the client sees as `stream.error`. */
  onError?: (error: unknown, context: TContext) => void;
  /** The clock for `created_at`. @default () => new Date() */
  now?: () => Date;
}

/** An answer: one JSON document, or a stream of events. */
export type ChatKitResult =
  | { kind: "json"; body: unknown }
  | { kind: "stream"; events: AsyncIterable<ThreadStreamEvent> };

/** A ChatKit server; see `createChatKitServer`. */
export interface ChatKitServer<TContext extends ChatKitOwner> {
  /**
   * Answers one request body (already parsed from JSON). Every refusal (unknown type, bad
   * params, a thread that is not the caller's) is thrown as a `ChatKitError` before any event is
   * produced, so an adapter can answer it with a status code.
   */
  process(
    body: unknown,
    context: TContext,
    options?: { signal?: AbortSignal },
  ): Promise<ChatKitResult>;
  /**
   * Answers one HTTP request: `POST` with a JSON body, answered with JSON or
   * `text/event-stream`; refusals as problem+json with their status. The context must come from
   * your authentication, never from the request body. Errors that are not refusals (a store
   * that is down) are thrown, for the framework to answer 500.
   */
  handle(request: Request, context: TContext): Promise<Response>;
}

/** The options with their defaults, as the request handlers use them. */
export type ResolvedOptions<TContext extends ChatKitOwner> = Required<
  Omit<ChatKitServerOptions<TContext>, "action" | "addFeedback">
> &
  Pick<ChatKitServerOptions<TContext>, "action" | "addFeedback">;
