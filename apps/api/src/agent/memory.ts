/**
 * How much of a conversation is worth remembering, independent of where it is stored: sizes in
 * UTF-8 bytes, tool results cut to a few KiB, and a history trimmed by whole turns. The
 * in-memory {@link SessionStore} uses these; a store in PostgreSQL would use the same.
 */
import type { ChatMessage } from "./brain.js";

/**
 * Bytes of one tool result kept in a history: a page of tasks is tens of KiB, and a model that
 * needs it again can call the tool again. The turn that called the tool saw it whole.
 */
export const DEFAULT_TOOL_RESULT_MAX_BYTES = 4 * 1024;

/** The limits {@link trimHistory} applies. */
export interface HistoryLimits {
  /** Messages kept, whole turns at a time. */
  maxMessages: number;
  /** UTF-8 bytes kept (see {@link messageBytes}), whole turns at a time. */
  maxBytes: number;
}

/**
 * The number of bytes `text` takes in UTF-8, without encoding it. A lone surrogate counts as
 * U+FFFD (3 bytes), which is what `TextEncoder` writes for it.
 *
 * @example
 * ```ts
 * utf8Length("café"); // 5
 * ```
 */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (isPair(text, i)) {
      bytes += 4;
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * The bytes a message keeps in memory: the UTF-8 length of every text it holds (content, tool
 * name and call id, each call's id, name and arguments).
 *
 * @example
 * ```ts
 * messageBytes({ role: "user", content: "add buy milk" }); // 12
 * ```
 */
export function messageBytes(message: ChatMessage): number {
  switch (message.role) {
    case "user":
      return utf8Length(message.content);
    case "tool":
      return (
        utf8Length(message.content) + utf8Length(message.name) + utf8Length(message.toolCallId)
      );
    case "assistant":
      return (message.toolCalls ?? []).reduce(
        (sum, call) =>
          sum + utf8Length(call.id) + utf8Length(call.name) + utf8Length(call.arguments),
        utf8Length(message.content),
      );
  }
}

/**
 * A tool message whose content is at most `maxBytes` UTF-8 bytes: a longer one keeps its start
 * and ends with a marker that says how long it was, so a model reading the history later knows
 * it saw only part of it and can call the tool again. Other messages are returned unchanged.
 *
 * @example
 * ```ts
 * boundToolResult({ role: "tool", toolCallId: "c1", name: "list_tasks", content: hugeJson }, 4096).content;
 * // '{"items":[{"id":"…",…[truncated to 4096 of 52113 bytes in the conversation history; call list_tasks again to see it all]'
 * ```
 */
export function boundToolResult(message: ChatMessage, maxBytes: number): ChatMessage {
  if (message.role !== "tool") return message;
  const total = utf8Length(message.content);
  if (total <= maxBytes) return message;
  const marker = `…[truncated to ${maxBytes} of ${total} bytes in the conversation history; call ${message.name} again to see it all]`;
  const room = Math.max(0, maxBytes - utf8Length(marker));
  return { ...message, content: `${utf8Prefix(message.content, room)}${marker}` };
}

/** What replaces a tool result of the newest turn when that turn alone is over the budget. */
export const LEFT_OUT =
  "[result left out of the conversation history: over its memory budget; call the tool again]";

/**
 * The part of `history` to keep: while it holds more than `maxMessages` messages or
 * `maxBytes` bytes, its oldest turn (a user message and everything up to the next one) goes,
 * whole, so a tool result never loses the call that asked for it. The messages from `keepFrom`
 * on (the turn just added) are never dropped; if they alone are over `maxBytes`, their tool
 * results, oldest first, are replaced by {@link LEFT_OUT}, which keeps every call answered.
 *
 * @example
 * ```ts
 * const kept = trimHistory([...old, ...turn], old.length, { maxMessages: 100, maxBytes: 65_536 });
 * ```
 */
export function trimHistory(
  history: readonly ChatMessage[],
  keepFrom: number,
  limits: HistoryLimits,
): ChatMessage[] {
  const sizes = history.map(messageBytes);
  let bytes = sizes.reduce((sum, size) => sum + size, 0);
  let start = 0;
  while (
    start < keepFrom &&
    (history.length - start > limits.maxMessages || bytes > limits.maxBytes)
  ) {
    let end = start + 1;
    while (end < history.length && history[end]?.role !== "user") end += 1;
    if (end > keepFrom) break;
    for (let i = start; i < end; i += 1) bytes -= sizes[i] ?? 0;
    start = end;
  }
  const kept = history.slice(start);
  for (let i = 0; i < kept.length && bytes > limits.maxBytes; i += 1) {
    const message = kept[i];
    if (message?.role !== "tool" || i < keepFrom - start || message.content === LEFT_OUT) continue;
    const shorter = { ...message, content: LEFT_OUT };
    bytes += messageBytes(shorter) - messageBytes(message);
    kept[i] = shorter;
  }
  return kept;
}

/** The bytes of a whole history. */
export function historyBytes(history: readonly ChatMessage[]): number {
  return history.reduce((sum, message) => sum + messageBytes(message), 0);
}

/** The longest start of `text` that fits in `maxBytes` UTF-8 bytes, never half a character. */
function utf8Prefix(text: string, maxBytes: number): string {
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const unit = text.charCodeAt(i);
    const pair = isPair(text, i);
    const size = unit < 0x80 ? 1 : unit < 0x800 ? 2 : pair ? 4 : 3;
    if (bytes + size > maxBytes) break;
    bytes += size;
    i += pair ? 2 : 1;
  }
  return text.slice(0, i);
}

/** Whether a surrogate pair (one code point above U+FFFF) starts at `i`. */
function isPair(text: string, i: number): boolean {
  const high = text.charCodeAt(i);
  const low = text.charCodeAt(i + 1);
  return high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff;
}
