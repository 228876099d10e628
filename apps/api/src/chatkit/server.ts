import { ChatKitAttachmentsUnsupportedError } from "../errors.js";
import { isStreamingRequest, parseRequest } from "./requests.js";
import type { ChatKitScope, ChatKitStore } from "./store.js";
import { startStream } from "./streaming.js";
import type {
  Action,
  FeedbackKind,
  NonStreamingReq,
  ThreadMetadata,
  ThreadStreamEvent,
  UserMessageItem,
  WidgetItem,
} from "./types.js";
import { HIDDEN_ITEM_TYPES, toThread } from "./wire.js";

/** One turn to answer. */
export interface RespondInput<C extends ChatKitScope> {
  /** The thread; set `title`, `status` or `metadata` on it and the server saves and announces it. */
  thread: ThreadMetadata;
  /** The new (or retried) user message, already stored; `null` after a client tool output. */
  input: UserMessageItem | null;
  context: C;
  /** Aborted when the client goes away: stop promptly. */
  signal: AbortSignal;
}

/** A widget or client action to handle (`threads.custom_action`). */
export interface ActionInput<C extends ChatKitScope> {
  thread: ThreadMetadata;
  action: Action;
  /** The widget item the action came from, if any. */
  sender: WidgetItem | null;
  context: C;
  signal: AbortSignal;
}

/** What {@link createChatKitServer} needs. */
export interface ChatKitServerOptions<C extends ChatKitScope> {
  store: ChatKitStore;
  /**
   * Answers a turn with events (chatkit-python `respond`). `thread.item.done` items are stored
   * for it; throw a `ChatKitStreamError` to end with a chosen `error` event.
   */
  respond: (input: RespondInput<C>) => AsyncIterable<ThreadStreamEvent>;
  /**
   * Handles `threads.custom_action`.
   * @default none: the stream ends with an `error` event, code `custom`, no retry.
   */
  action?: (input: ActionInput<C>) => AsyncIterable<ThreadStreamEvent>;
  /** Records `items.feedback` (chatkit-python `add_feedback`). @default ignore it */
  addFeedback?: (
    feedback: { threadId: string; itemIds: string[]; kind: FeedbackKind },
    context: C,
  ) => void | Promise<void>;
  /** Lets the web component offer a stop button (`stream_options.allow_cancel`). @default true */
  allowCancel?: boolean;
  /** Page size when a request names none (chatkit-python's `DEFAULT_PAGE_SIZE`). @default 20 */
  pageSize?: number;
  /** The largest page a request may ask for; larger limits are lowered to it. @default 100 */
  maxPageSize?: number;
  /** Told of an unexpected failure inside a stream, which the client sees as `stream.error`. */
  onError?: (error: unknown, context: C) => void;
  /** The clock for `created_at`. @default () => new Date() */
  now?: () => Date;
}

/** An answer: one JSON document, or a stream of events. */
export type ChatKitResult =
  | { kind: "json"; body: unknown }
  | { kind: "stream"; events: AsyncIterable<ThreadStreamEvent> };

export interface ChatKitServer<C extends ChatKitScope> {
  /**
   * Answers one request body (already parsed from JSON). Every refusal (unknown type, bad
   * params, a thread that is not the caller's) is thrown as an API error before any event is
   * produced, so an adapter can answer it with a status code.
   */
  process(body: unknown, context: C, options?: { signal?: AbortSignal }): Promise<ChatKitResult>;
}

/** The options with their defaults, as the request handlers use them. */
export type ResolvedOptions<C extends ChatKitScope> = Required<
  Omit<ChatKitServerOptions<C>, "action" | "addFeedback">
> &
  Pick<ChatKitServerOptions<C>, "action" | "addFeedback">;

/**
 * A ChatKit server (chatkit-python's `ChatKitServer`), independent of any web framework: it
 * takes a parsed body and the caller, and gives back JSON or an event stream.
 *
 * @example
 * ```ts
 * const server = createChatKitServer({ store, respond: async function* ({ thread }) { … } });
 * const result = await server.process(await request.json(), { tenantId, userId }, { signal });
 * ```
 */
export function createChatKitServer<C extends ChatKitScope>(
  options: ChatKitServerOptions<C>,
): ChatKitServer<C> {
  const resolved: ResolvedOptions<C> = {
    allowCancel: true,
    pageSize: 20,
    maxPageSize: 100,
    onError: () => {},
    now: () => new Date(),
    ...options,
  };
  return {
    async process(body, context, { signal = new AbortController().signal } = {}) {
      const request = parseRequest(body);
      if (isStreamingRequest(request)) {
        return { kind: "stream", events: await startStream(request, resolved, context, signal) };
      }
      return { kind: "json", body: await answer(request, resolved, context) };
    },
  };
}

async function answer<C extends ChatKitScope>(
  request: NonStreamingReq,
  options: ResolvedOptions<C>,
  context: C,
): Promise<unknown> {
  const { store } = options;
  const owner: ChatKitScope = { tenantId: context.tenantId, userId: context.userId };
  const limit = (asked: number | null | undefined) =>
    Math.min(asked || options.pageSize, options.maxPageSize);
  switch (request.type) {
    case "threads.get_by_id": {
      const thread = await store.loadThread(owner, request.params.thread_id);
      const items = await store.loadThreadItems(owner, thread.id, {
        limit: options.pageSize,
        order: "asc",
      });
      return toThread(thread, items);
    }
    case "threads.list": {
      const { after, order } = request.params;
      const page = await store.loadThreads(owner, {
        limit: limit(request.params.limit),
        after,
        order,
      });
      return { ...page, data: page.data.map((thread) => toThread(thread)) };
    }
    case "items.list": {
      const { thread_id, after, order } = request.params;
      // Loaded first so that another user's thread is a 404, not an empty page.
      await store.loadThread(owner, thread_id);
      const page = await store.loadThreadItems(owner, thread_id, {
        limit: limit(request.params.limit),
        after,
        order,
      });
      return { ...page, data: page.data.filter((item) => !HIDDEN_ITEM_TYPES.has(item.type)) };
    }
    case "items.feedback": {
      const { thread_id, item_ids, kind } = request.params;
      await store.loadThread(owner, thread_id);
      await options.addFeedback?.({ threadId: thread_id, itemIds: item_ids, kind }, context);
      return {};
    }
    case "attachments.create":
      throw new ChatKitAttachmentsUnsupportedError();
    case "attachments.delete":
      await store.loadAttachment(owner, request.params.attachment_id);
      await store.deleteAttachment(owner, request.params.attachment_id);
      return {};
    case "threads.update": {
      const thread = await store.loadThread(owner, request.params.thread_id);
      // An empty title clears it: the web component then shows its own placeholder.
      thread.title = request.params.title === "" ? null : request.params.title;
      await store.saveThread(owner, thread);
      return toThread(thread);
    }
    case "threads.delete":
      await store.loadThread(owner, request.params.thread_id);
      await store.deleteThread(owner, request.params.thread_id);
      return {};
  }
}
