import { z } from "zod";
import { type FieldError, UnknownRequestError, ValidationError } from "./errors.js";
import type { ChatKitReq, StreamingReq, UserMessageContent } from "./types.js";

/** The longest message, in characters, counting every text part. */
export const CHATKIT_MESSAGE_MAX = 4000;

/** The longest thread title `threads.update` accepts. */
export const CHATKIT_TITLE_MAX = 200;

/** Every request `type`, streaming ones first. */
export const REQUEST_TYPES = [
  "threads.create",
  "threads.add_user_message",
  "threads.add_client_tool_output",
  "threads.retry_after_item",
  "threads.custom_action",
  "threads.get_by_id",
  "threads.list",
  "items.list",
  "items.feedback",
  "attachments.create",
  "attachments.delete",
  "threads.update",
  "threads.delete",
] as const satisfies readonly ChatKitReq["type"][];

const STREAMING: ReadonlySet<string> = new Set(REQUEST_TYPES.slice(0, 5));

/**
 * Whether a request is answered with a stream (chatkit-python `is_streaming_req`).
 *
 * @example
 * ```ts
 * isStreamingRequest(parseRequest({ type: "threads.list", params: {} })); // false
 * ```
 */
export function isStreamingRequest(request: ChatKitReq): request is StreamingReq {
  return STREAMING.has(request.type);
}

// PostgreSQL text cannot hold U+0000: refused here rather than failing as a 500 on insert.
const text = z.string().refine((value) => !value.includes("\0"), "Must not contain NUL.");
const id = z.string();
const json = z.record(z.string(), z.unknown());
// chatkit-python reads `limit or DEFAULT_PAGE_SIZE`: 0 means the default.
const limit = z.number().int().nonnegative().nullish();
const order = z.enum(["asc", "desc"]).default("desc");

const content = z.discriminatedUnion("type", [
  z.object({ type: z.literal("input_text"), text }),
  z.object({
    type: z.literal("input_tag"),
    id,
    text,
    data: json,
    group: z.string().nullish(),
    interactive: z.boolean().default(false),
  }),
]);

// Extra fields are ignored, as pydantic does by default: a newer web component may send more.
const input = z
  .object({
    content: z.array(content),
    attachments: z.array(id),
    quoted_text: text.max(CHATKIT_MESSAGE_MAX).nullish(),
    inference_options: z.object({
      tool_choice: z.object({ id }).nullish(),
      model: z.string().nullish(),
    }),
  })
  .superRefine((value, context) => {
    const length = messageText(value.content).trim().length;
    if (length === 0) {
      context.addIssue({ code: "custom", path: ["content"], message: "Must contain some text." });
    } else if (length > CHATKIT_MESSAGE_MAX) {
      context.addIssue({
        code: "custom",
        path: ["content"],
        message: `Must be at most ${CHATKIT_MESSAGE_MAX} characters.`,
      });
    }
  });

const PARAMS = {
  "threads.create": z.object({ input }),
  "threads.add_user_message": z.object({ input, thread_id: id }),
  "threads.add_client_tool_output": z.object({ thread_id: id, result: z.unknown().optional() }),
  "threads.retry_after_item": z.object({ thread_id: id, item_id: id }),
  "threads.custom_action": z.object({
    thread_id: id,
    item_id: id.nullish(),
    // `.optional()`: with a custom error map, zod reports a missing `z.unknown()` key.
    action: z.object({ type: z.string(), payload: z.unknown().optional() }),
  }),
  "threads.get_by_id": z.object({ thread_id: id }),
  "threads.list": z.object({ limit, order, after: id.nullish() }),
  "items.list": z.object({ thread_id: id, limit, order, after: id.nullish() }),
  "items.feedback": z.object({
    thread_id: id,
    item_ids: z.array(id).max(100),
    kind: z.enum(["positive", "negative"]),
  }),
  "attachments.create": z.object({
    name: z.string(),
    size: z.number().int().nonnegative(),
    mime_type: z.string(),
  }),
  "attachments.delete": z.object({ attachment_id: id }),
  "threads.update": z.object({ thread_id: id, title: text.trim().max(CHATKIT_TITLE_MAX) }),
  "threads.delete": z.object({ thread_id: id }),
} satisfies Record<ChatKitReq["type"], z.ZodType>;

/** Messages a form could show, instead of zod's "Invalid input: expected string, received undefined". */
const messages: z.core.$ZodErrorMap = (issue) => {
  if (issue.input === undefined) return "Required.";
  if (issue.code === "invalid_type") return `Must be ${article(issue.expected)}.`;
  return undefined;
};

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/**
 * Reads a request body as chatkit-python's `TypeAdapter(ChatKitReq)` does: `type` picks the
 * request, `params` must match it, `metadata` defaults to `{}`.
 *
 * @throws `ERR_CHATKIT_UNKNOWN_REQUEST` (400) when `type` is missing or unknown;
 *   `ERR_VALIDATION` (422) naming each bad field (`params.thread_id`, `params.input.content`).
 * @example
 * ```ts
 * const request = parseRequest(JSON.parse(body)); // { type: "threads.list", params: { order: "desc" }, metadata: {} }
 * ```
 */
export function parseRequest(body: unknown): ChatKitReq {
  const type = (body as { type?: unknown } | null)?.type;
  if (typeof type !== "string" || !Object.hasOwn(PARAMS, type)) {
    throw new UnknownRequestError(REQUEST_TYPES);
  }
  const schema = z.object({
    type: z.string(),
    params: PARAMS[type as ChatKitReq["type"]],
    metadata: json.default({}),
  });
  const parsed = schema.safeParse(body, { error: messages });
  if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error));
  return parsed.data as ChatKitReq;
}

/**
 * A message as one string: text parts as typed, tags as `@text` (as chatkit-python's
 * `ThreadItemConverter.user_message_to_input` renders them for a model).
 *
 * @example
 * ```ts
 * messageText([{ type: "input_text", text: "add buy milk" }]); // "add buy milk"
 * ```
 */
export function messageText(content: readonly UserMessageContent[]): string {
  return content.map((part) => (part.type === "input_text" ? part.text : `@${part.text}`)).join("");
}

/** One entry per rejected field, in the order zod found them. */
function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    field: issue.path.map(String).join(".") || "body",
    message: issue.message,
  }));
}
