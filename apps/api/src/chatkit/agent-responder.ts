import {
  type AssistantMessageContent,
  type AssistantMessageItem,
  type ChatKitStore,
  ChatKitStreamError,
  clientEffect,
  generateId,
  messageText,
  progress,
  type RespondInput,
  type ThreadStreamEvent,
} from "handoff-chatkit";
import type { Logger } from "pino";
import type { Brain, ChatMessage } from "../agent/brain.js";
import { AgentFailedError } from "../agent/errors.js";
import type { BrainEvent } from "../agent/events.js";
import { boundToolResult, DEFAULT_TOOL_RESULT_MAX_BYTES } from "../agent/memory.js";
import { openToolBox } from "../agent/toolbox.js";
import { type ApiError, isApiError } from "../errors.js";
import type { TaskStore } from "../tasks/model.js";
import { AGENT_TURN, toChatMessages } from "./history.js";
import { AsyncQueue } from "./queue.js";

/** The caller of `/chatkit`: the owner (one user of one tenant), and the email the brain may use in its wording. */
export interface ChatKitCaller {
  readonly tenantId: string;
  readonly userId: string;
  readonly email?: string;
}

/** What {@link createAgentResponder} needs. */
export interface AgentResponderDeps {
  brain: Brain;
  /** The tasks the agent's tools act on, scoped to the caller. */
  tasks: TaskStore;
  /** Where the thread's history is read from. */
  store: ChatKitStore;
  logger: Logger;
  /** How many of the thread's latest items the brain reads. @default 100 */
  historyItems?: number;
}

/** The longest generated title, in characters. */
const GENERATED_TITLE_MAX = 60;

/** What the web component shows while a tool runs (`progress_update`), by tool name. */
const PROGRESS: Record<string, { text: string; icon?: string }> = {
  list_tasks: { text: "Listing your tasks", icon: "notebook" },
  get_task: { text: "Looking up a task", icon: "search" },
  find_tasks: { text: "Searching your tasks", icon: "search" },
  add_task: { text: "Adding a task", icon: "plus" },
  update_task: { text: "Updating a task", icon: "write" },
  complete_task: { text: "Completing a task", icon: "check-circle" },
  reopen_task: { text: "Reopening a task", icon: "reload" },
  delete_task: { text: "Deleting a task" },
};

/**
 * The task agent of `/v1/agent/chat` as a ChatKit responder: the configured brain reads the
 * thread's history and acts through the caller's MCP task tools. Its events become ChatKit's:
 * the first `delta` opens an assistant message (`thread.item.added`, then
 * `assistant_message.content_part.added`), each `delta` is a `text_delta`, a `tool_call` is a
 * `progress_update`, a `tool_result` that changed tasks is a `client_effect` named
 * `tasks.changed`, and the end closes the message (`content_part.done`, `thread.item.done`).
 * A turn that used tools also stores its full record as a hidden item, for the next turn. The
 * thread is titled after its first message.
 *
 * @example
 * ```ts
 * const server = createChatKitServer({ store, respond: createAgentResponder({ brain, tasks, store, logger }) });
 * ```
 */
export function createAgentResponder(
  deps: AgentResponderDeps,
): (input: RespondInput<ChatKitCaller>) => AsyncIterable<ThreadStreamEvent> {
  const { store, historyItems = 100 } = deps;
  return async function* respond({ thread, input, context, signal }) {
    const owner = { tenantId: context.tenantId, userId: context.userId };
    if (input !== null && !thread.title) thread.title = titleOf(messageText(input.content));
    const recent = await store.loadThreadItems(owner, thread.id, {
      limit: historyItems,
      order: "desc",
    });
    const queue = new AsyncQueue<ThreadStreamEvent>();
    const turn = runTurn(deps, {
      threadId: thread.id,
      caller: context,
      messages: toChatMessages([...recent.data].reverse()),
      signal,
      push: (event) => queue.push(event),
    }).then(
      () => queue.end(),
      (error: unknown) => queue.fail(error),
    );
    yield* queue;
    await turn;
  };
}

interface Turn {
  threadId: string;
  caller: ChatKitCaller;
  messages: ChatMessage[];
  signal: AbortSignal;
  push: (event: ThreadStreamEvent) => void;
}

async function runTurn(deps: AgentResponderDeps, turn: Turn): Promise<void> {
  const { brain, tasks, logger } = deps;
  const { threadId, caller, signal, push } = turn;
  const item: AssistantMessageItem = {
    type: "assistant_message",
    id: generateId("message"),
    thread_id: threadId,
    created_at: new Date().toISOString(),
    content: [],
  };
  let text: string | undefined;
  const emit = (event: BrainEvent) => {
    if (event.type === "delta") {
      if (text === undefined) {
        text = "";
        push({ type: "thread.item.added", item });
        push({
          type: "thread.item.updated",
          item_id: item.id,
          update: {
            type: "assistant_message.content_part.added",
            content_index: 0,
            content: part(""),
          },
        });
      }
      text += event.data.text;
      const update = {
        type: "assistant_message.content_part.text_delta",
        content_index: 0,
        delta: event.data.text,
      } as const;
      push({ type: "thread.item.updated", item_id: item.id, update });
    } else if (event.type === "tool_call") {
      const shown = PROGRESS[event.data.name] ?? { text: `Using ${event.data.name}` };
      push(progress(shown.text, shown.icon === undefined ? {} : { icon: shown.icon }));
    } else if (event.data.changed) {
      push(clientEffect("tasks.changed", { tool: event.data.name }));
    }
  };

  const started = performance.now();
  const scope = { tenantId: caller.tenantId, userId: caller.userId };
  const tools = await openToolBox({ store: tasks, scope, emit, signal, logger });
  try {
    const result = await brain.run({ messages: turn.messages, tools, caller, signal, emit });
    signal.throwIfAborted();
    if (text !== undefined) {
      const done = {
        type: "assistant_message.content_part.done",
        content_index: 0,
        content: part(text),
      } as const;
      push({ type: "thread.item.updated", item_id: item.id, update: done });
      push({ type: "thread.item.done", item: { ...item, content: [part(text)] } });
    }
    const usedTools = result.messages.some(
      (message) =>
        message.role === "tool" || (message.role === "assistant" && message.toolCalls?.length),
    );
    if (usedTools) {
      push({
        type: "thread.item.done",
        item: {
          type: "hidden_context_item",
          id: generateId("hidden_context"),
          thread_id: threadId,
          created_at: new Date().toISOString(),
          // Tool results cut as the agent's sessions cut them: the record is read back into
          // every later turn of the thread.
          content: {
            type: AGENT_TURN,
            messages: result.messages.map((message) =>
              boundToolResult(message, DEFAULT_TOOL_RESULT_MAX_BYTES),
            ),
          },
        },
      });
    }
    logger.info(
      {
        threadId,
        brain: brain.kind,
        finishReason: result.finishReason,
        durationMs: Math.round(performance.now() - started),
      },
      "chatkit turn",
    );
  } catch (error) {
    if (signal.aborted) {
      logger.info({ threadId, brain: brain.kind }, "chatkit turn aborted by the client");
      throw error;
    }
    throw streamError(error, logger, threadId);
  } finally {
    await tools.close();
  }
}

function part(text: string): AssistantMessageContent {
  return { type: "output_text", text, annotations: [] };
}

/**
 * A thread title from its first message: on one line, cut at a word within
 * {@link GENERATED_TITLE_MAX} characters.
 *
 * @example
 * ```ts
 * titleOf("  add\n buy milk "); // "add buy milk"
 * ```
 */
export function titleOf(message: string): string {
  const line = message.replace(/\s+/g, " ").trim();
  if (line.length <= GENERATED_TITLE_MAX) return line;
  const cut = line.slice(0, GENERATED_TITLE_MAX - 1);
  const space = cut.lastIndexOf(" ");
  return `${space > GENERATED_TITLE_MAX / 2 ? cut.slice(0, space) : cut}…`;
}

/**
 * A brain failure as an `error` event with the agent's own sentence (never a provider's, which
 * can quote the key). Retrying helps, except when the provider refused the credentials.
 */
function streamError(error: unknown, logger: Logger, threadId: string): ChatKitStreamError {
  const failure: ApiError = isApiError(error) ? error : new AgentFailedError(error);
  if (failure === error) {
    const cause = failure.cause as { name?: unknown; status?: unknown } | undefined;
    logger.warn(
      { threadId, code: failure.code, cause: cause && { name: cause.name, status: cause.status } },
      "chatkit turn failed",
    );
  } else {
    logger.error({ threadId, code: failure.code, err: error }, "chatkit turn failed");
  }
  return new ChatKitStreamError("custom", {
    message: failure.message,
    allowRetry: failure.code !== "ERR_AGENT_MODEL_AUTH",
    cause: failure,
  });
}
