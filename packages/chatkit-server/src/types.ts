/**
 * The ChatKit protocol, transcribed field for field from openai/chatkit-python
 * `chatkit/types.py` at **openai-chatkit 1.5.2** (commit b676003, 2026-01-14), the server SDK
 * the ChatKit web component is written against. Later versions add `input.transcribe`,
 * `threads.sync_custom_action` and `threads.add_structured_input`, which this server answers as
 * unknown requests. Names and discriminators are the wire's: snake_case, `type` strings
 * verbatim. Python `datetime` fields are ISO 8601 strings here, as they travel. Optional Python
 * fields (`X | None = None`) are optional here and left out of the JSON when absent, as
 * `model_dump_json(exclude_none=True)` does. Widgets are carried as opaque JSON objects: this
 * server never builds one.
 */

/** One page of a listing (`Page[T]`). `after` is the cursor for the next page. */
export interface Page<T> {
  data: T[];
  has_more: boolean;
  after?: string | null;
}

/** A JSON object whose shape this server does not interpret. */
export type JsonObject = Record<string, unknown>;

/** An icon name from ChatKit's icon set (`chatkit/icons.py`), such as `"check-circle"`. */
export type IconName = string;

// ----- Requests ---------------------------------------------------------------------------

/** `Action[str, Any]`: what a widget or the client dispatches with `threads.custom_action`. */
export interface Action {
  type: string;
  payload?: unknown;
}

export type FeedbackKind = "positive" | "negative";

/** Model and tool configuration the composer sends with a message. */
export interface InferenceOptions {
  tool_choice?: { id: string } | null;
  model?: string | null;
}

export interface UserMessageTextContent {
  type: "input_text";
  text: string;
}

/** An @-mention the user picked in the composer. */
export interface UserMessageTagContent {
  type: "input_tag";
  id: string;
  text: string;
  data: JsonObject;
  group?: string | null;
  interactive: boolean;
}

export type UserMessageContent = UserMessageTextContent | UserMessageTagContent;

/** A message as the composer submits it; `attachments` are ids from `attachments.create`. */
export interface UserMessageInput {
  content: UserMessageContent[];
  attachments: string[];
  quoted_text?: string | null;
  inference_options: InferenceOptions;
}

/** Every request: `{ type, params, metadata? }`. */
interface Req<T extends string, P> {
  type: T;
  params: P;
  /** Integration-specific metadata (`BaseReq.metadata`). */
  metadata: JsonObject;
}

export type ThreadsCreateReq = Req<"threads.create", { input: UserMessageInput }>;
export type ThreadsAddUserMessageReq = Req<
  "threads.add_user_message",
  { input: UserMessageInput; thread_id: string }
>;
export type ThreadsAddClientToolOutputReq = Req<
  "threads.add_client_tool_output",
  { thread_id: string; result: unknown }
>;
export type ThreadsRetryAfterItemReq = Req<
  "threads.retry_after_item",
  { thread_id: string; item_id: string }
>;
export type ThreadsCustomActionReq = Req<
  "threads.custom_action",
  { thread_id: string; item_id?: string | null; action: Action }
>;
export type ThreadsGetByIdReq = Req<"threads.get_by_id", { thread_id: string }>;
export type ThreadsListReq = Req<
  "threads.list",
  { limit?: number | null; order: "asc" | "desc"; after?: string | null }
>;
export type ItemsListReq = Req<
  "items.list",
  { thread_id: string; limit?: number | null; order: "asc" | "desc"; after?: string | null }
>;
export type ItemsFeedbackReq = Req<
  "items.feedback",
  { thread_id: string; item_ids: string[]; kind: FeedbackKind }
>;
export type AttachmentsCreateReq = Req<
  "attachments.create",
  { name: string; size: number; mime_type: string }
>;
export type AttachmentsDeleteReq = Req<"attachments.delete", { attachment_id: string }>;
export type ThreadsUpdateReq = Req<"threads.update", { thread_id: string; title: string }>;
export type ThreadsDeleteReq = Req<"threads.delete", { thread_id: string }>;

/** The requests answered with a stream of {@link ThreadStreamEvent}s. */
export type StreamingReq =
  | ThreadsCreateReq
  | ThreadsAddUserMessageReq
  | ThreadsAddClientToolOutputReq
  | ThreadsRetryAfterItemReq
  | ThreadsCustomActionReq;

/** The requests answered with one JSON document. */
export type NonStreamingReq =
  | ThreadsGetByIdReq
  | ThreadsListReq
  | ItemsListReq
  | ItemsFeedbackReq
  | AttachmentsCreateReq
  | AttachmentsDeleteReq
  | ThreadsUpdateReq
  | ThreadsDeleteReq;

export type ChatKitReq = StreamingReq | NonStreamingReq;

// ----- Threads ----------------------------------------------------------------------------

export type ThreadStatus =
  | { type: "active" }
  | { type: "locked"; reason?: string | null }
  | { type: "closed"; reason?: string | null };

/** A thread without its items. */
export interface ThreadMetadata {
  id: string;
  title?: string | null;
  created_at: string;
  status: ThreadStatus;
  /** Server-side data; answered as `{}` (chatkit-python does not send it to clients). */
  metadata: JsonObject;
}

/** A thread with a page of its items. */
export interface Thread extends ThreadMetadata {
  items: Page<ThreadItem>;
}

// ----- Thread items -----------------------------------------------------------------------

interface ThreadItemBase {
  id: string;
  thread_id: string;
  created_at: string;
}

export interface FileAttachment {
  type: "file";
  id: string;
  name: string;
  mime_type: string;
  upload_url?: string | null;
}

export interface ImageAttachment {
  type: "image";
  id: string;
  name: string;
  mime_type: string;
  upload_url?: string | null;
  preview_url: string;
}

export type Attachment = FileAttachment | ImageAttachment;

export interface UserMessageItem extends ThreadItemBase {
  type: "user_message";
  content: UserMessageContent[];
  attachments: Attachment[];
  quoted_text?: string | null;
  inference_options: InferenceOptions;
}

export interface URLSource {
  type: "url";
  title: string;
  url: string;
  attribution?: string | null;
  description?: string | null;
  timestamp?: string | null;
  group?: string | null;
}

export interface FileSource {
  type: "file";
  title: string;
  filename: string;
  description?: string | null;
  timestamp?: string | null;
  group?: string | null;
}

export interface EntitySource {
  type: "entity";
  title: string;
  id: string;
  icon?: IconName | null;
  label?: string | null;
  data: JsonObject;
  description?: string | null;
  timestamp?: string | null;
  group?: string | null;
}

export interface Annotation {
  type: "annotation";
  source: URLSource | FileSource | EntitySource;
  index?: number | null;
}

export interface AssistantMessageContent {
  type: "output_text";
  text: string;
  annotations: Annotation[];
}

export interface AssistantMessageItem extends ThreadItemBase {
  type: "assistant_message";
  content: AssistantMessageContent[];
}

export interface ClientToolCallItem extends ThreadItemBase {
  type: "client_tool_call";
  status: "pending" | "completed";
  call_id: string;
  name: string;
  arguments: JsonObject;
  output?: unknown;
}

export interface WidgetItem extends ThreadItemBase {
  type: "widget";
  /** A `WidgetRoot` (`Card`, `ListView`, …), opaque here. */
  widget: JsonObject;
  copy_text?: string | null;
}

export interface GeneratedImage {
  id: string;
  url: string;
}

export interface GeneratedImageItem extends ThreadItemBase {
  type: "generated_image";
  image?: GeneratedImage | null;
}

interface BaseTask {
  status_indicator?: "none" | "loading" | "complete";
}

export type Task =
  | (BaseTask & {
      type: "custom";
      title?: string | null;
      icon?: IconName | null;
      content?: string | null;
    })
  | (BaseTask & {
      type: "web_search";
      title?: string | null;
      title_query?: string | null;
      queries: string[];
      sources: URLSource[];
    })
  | (BaseTask & { type: "thought"; title?: string | null; content: string })
  | (BaseTask & { type: "file"; title?: string | null; sources: FileSource[] })
  | (BaseTask & { type: "image"; title?: string | null });

export interface TaskItem extends ThreadItemBase {
  type: "task";
  task: Task;
}

export interface Workflow {
  type: "custom" | "reasoning";
  tasks: Task[];
  summary?: { title: string; icon?: IconName | null } | { duration: number } | null;
  expanded: boolean;
}

export interface WorkflowItem extends ThreadItemBase {
  type: "workflow";
  workflow: Workflow;
}

/** Marks the end of the assistant's turn. */
export interface EndOfTurnItem extends ThreadItemBase {
  type: "end_of_turn";
}

/** Context kept in the thread for the server and its model; never sent to a client. */
export interface HiddenContextItem extends ThreadItemBase {
  type: "hidden_context_item";
  content: unknown;
}

/** Hidden context the SDK itself writes (a cancelled stream, for one); never sent to a client. */
export interface SDKHiddenContextItem extends ThreadItemBase {
  type: "sdk_hidden_context";
  content: string;
}

export type ThreadItem =
  | UserMessageItem
  | AssistantMessageItem
  | ClientToolCallItem
  | WidgetItem
  | GeneratedImageItem
  | WorkflowItem
  | TaskItem
  | HiddenContextItem
  | SDKHiddenContextItem
  | EndOfTurnItem;

// ----- Stream events ----------------------------------------------------------------------

/** Updates carried by `thread.item.updated`. */
export type ThreadItemUpdate =
  | {
      type: "assistant_message.content_part.added";
      content_index: number;
      content: AssistantMessageContent;
    }
  | { type: "assistant_message.content_part.text_delta"; content_index: number; delta: string }
  | {
      type: "assistant_message.content_part.annotation_added";
      content_index: number;
      annotation_index: number;
      annotation: Annotation;
    }
  | {
      type: "assistant_message.content_part.done";
      content_index: number;
      content: AssistantMessageContent;
    }
  | {
      type: "widget.streaming_text.value_delta";
      component_id: string;
      delta: string;
      done: boolean;
    }
  | { type: "widget.root.updated"; widget: JsonObject }
  | { type: "widget.component.updated"; component_id: string; component: JsonObject }
  | { type: "workflow.task.added"; task_index: number; task: Task }
  | { type: "workflow.task.updated"; task_index: number; task: Task }
  | { type: "generated_image.updated"; image: GeneratedImage; progress?: number | null };

/** `ErrorCode`: not a closed set upstream; `stream.error` is the one defined so far. */
export type ErrorCode = "stream.error";

export type ThreadStreamEvent =
  | { type: "thread.created"; thread: Thread }
  | { type: "thread.updated"; thread: Thread }
  | { type: "thread.item.added"; item: ThreadItem }
  | { type: "thread.item.updated"; item_id: string; update: ThreadItemUpdate }
  | { type: "thread.item.done"; item: ThreadItem }
  | { type: "thread.item.removed"; item_id: string }
  | { type: "thread.item.replaced"; item: ThreadItem }
  | { type: "stream_options"; stream_options: { allow_cancel: boolean } }
  | { type: "progress_update"; icon?: IconName | null; text: string }
  | { type: "client_effect"; name: string; data: JsonObject }
  | { type: "error"; code: ErrorCode | "custom"; message?: string | null; allow_retry: boolean }
  | {
      type: "notice";
      level: "info" | "warning" | "danger";
      /** Markdown. */
      message: string;
      title?: string | null;
    };

/** Narrows an event to one `type`. */
export type EventOf<T extends ThreadStreamEvent["type"]> = Extract<ThreadStreamEvent, { type: T }>;
