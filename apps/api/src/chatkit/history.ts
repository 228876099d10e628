import { messageText, type ThreadItem } from "handoff-chatkit";
import type { ChatMessage } from "../agent/brain.js";

/**
 * The `content.type` of the hidden item that keeps a turn's full record for the brain: the
 * assistant's tool calls and the tools' results, which the client never sees but a model needs
 * to know what it already did (the sessions of `/v1/agent/chat` keep the same).
 */
export const AGENT_TURN = "taskflow.agent_turn";

/**
 * A thread's items as the conversation a brain reads: user messages as typed (tags as `@text`),
 * then for each turn its hidden record when there is one, else its assistant texts. Hidden
 * notes from the SDK (a cancelled stream) become user messages marked as hidden context, as
 * chatkit-python's `ThreadItemConverter` renders them. Widgets, workflows and tool call items
 * are left out. A conversation cut short by the history limit starts at a user message.
 *
 * @example
 * ```ts
 * toChatMessages(items); // [{ role: "user", content: "add buy milk" }, { role: "assistant", content: "Added task #1: buy milk." }]
 * ```
 */
export function toChatMessages(items: readonly ThreadItem[]): ChatMessage[] {
  const messages: ChatMessage[] = [];
  let texts: string[] = [];
  let record: ChatMessage[] | undefined;
  const endTurn = () => {
    messages.push(...(record ?? texts.map((content) => ({ role: "assistant" as const, content }))));
    texts = [];
    record = undefined;
  };
  for (const item of items) {
    switch (item.type) {
      case "user_message":
        endTurn();
        messages.push({ role: "user", content: messageText(item.content) });
        break;
      case "assistant_message":
        texts.push(item.content.map((part) => part.text).join(""));
        break;
      case "hidden_context_item":
        record = recordOf(item.content) ?? record;
        break;
      case "sdk_hidden_context":
        endTurn();
        messages.push({
          role: "user",
          content: `Hidden context for the agent (not shown to the user):\n<HiddenContext>\n${item.content}\n</HiddenContext>`,
        });
        break;
    }
  }
  endTurn();
  const firstUser = messages.findIndex((message) => message.role === "user");
  return firstUser === -1 ? [] : messages.slice(firstUser);
}

/** A stored turn record, or `undefined` when the content is anything else. */
function recordOf(content: unknown): ChatMessage[] | undefined {
  const record = content as { type?: unknown; messages?: unknown } | null;
  if (record?.type !== AGENT_TURN || !Array.isArray(record.messages)) return undefined;
  const valid = record.messages.every(
    (message: { role?: unknown; content?: unknown } | null) =>
      typeof message?.content === "string" &&
      (message.role === "user" || message.role === "assistant" || message.role === "tool"),
  );
  return valid ? (record.messages as ChatMessage[]) : undefined;
}
