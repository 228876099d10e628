import { setImmediate as nextTurn, setTimeout as sleep } from "node:timers/promises";
import type { TaskJson } from "../tasks/model.js";
import type { Brain, BrainInput, ChatMessage, ToolBox, ToolOutcome } from "./brain.js";
import { type Command, parseCommand, type Target } from "./commands.js";

const HELP_TEXT = [
  "I can manage your tasks. Try:",
  "“add buy milk” to add a task;",
  "“list my tasks” (or “what's open”, “show done tasks”);",
  "“complete buy milk” or “done 3”; “reopen 3”;",
  "“rename 3 to buy oat milk”;",
  "“delete 3” or “remove buy milk”.",
  "Numbers are the task numbers shown in the list.",
].join("\n");

const UNKNOWN =
  "Sorry, I did not understand that. Try “add buy milk”, “list my tasks”, “complete 2” or " +
  "“delete 3”, or say “help”.";

/** The start of the question asked when a title names several tasks; a bare number answers it. */
const AMBIGUOUS = "Several tasks are called";

/** Options of {@link createBuiltinBrain}. */
export interface BuiltinBrainOptions {
  /**
   * A pause after each word, so the answer streams at a readable pace (`AGENT_WORD_DELAY_MS`).
   * @default 0 — as fast as the stream flushes.
   */
  wordDelayMs?: number;
}

/**
 * The deterministic brain used when no model is configured: it understands plain commands
 * (see {@link parseCommand}), acts through the same MCP tools as a model would, and streams its
 * answer word by word through the same events, so the agent works offline.
 *
 * @example
 * ```ts
 * const brain = createBuiltinBrain();
 * await brain.run({ messages: [{ role: "user", content: "add buy milk" }], tools, caller, signal, emit });
 * ```
 */
export function createBuiltinBrain(options: BuiltinBrainOptions = {}): Brain {
  const wordDelayMs = options.wordDelayMs ?? 0;
  return {
    kind: "builtin",
    async run({ messages, tools, signal, emit }: BrainInput) {
      const command = understand(messages);
      const answer = await respond(command, tools);
      // One delta per word, each handed to the stream on its own turn of the event loop.
      for (const word of answer.match(/\S+\s*/g) ?? []) {
        signal.throwIfAborted();
        emit({ type: "delta", data: { text: word } });
        if (wordDelayMs > 0) await sleep(wordDelayMs, undefined, { signal }).catch(() => {});
        else await nextTurn();
      }
      signal.throwIfAborted();
      return { finishReason: "stop", messages: [{ role: "assistant", content: answer }] };
    },
  };
}

/** The last user message as a command; a bare number answers a "which one?" question. */
function understand(messages: readonly ChatMessage[]): Command {
  const last = messages.at(-1);
  const command = parseCommand(last?.role === "user" ? last.content : "");
  if (command.kind !== "pick") return command;
  const previousAnswer = messages.at(-2);
  const previousAsk = messages.at(-3);
  if (
    previousAnswer?.role === "assistant" &&
    previousAnswer.content.startsWith(AMBIGUOUS) &&
    previousAsk?.role === "user"
  ) {
    const asked = parseCommand(previousAsk.content);
    if ("target" in asked) return { ...asked, target: { number: command.number } };
  }
  return command;
}

async function respond(command: Command, tools: ToolBox): Promise<string> {
  switch (command.kind) {
    case "help":
      return HELP_TEXT;
    case "unknown":
      return UNKNOWN;
    case "add": {
      if (command.title === "") {
        return "What should the task be called? Say “add <title>”, for example “add buy milk”.";
      }
      const added = await tools.call({ name: "add_task", arguments: { title: command.title } });
      return added.ok
        ? `Added task ${describe(taskOf(added))}.`
        : `I could not add that task: ${added.error?.message}`;
    }
    case "list":
      return list(tools, command.status);
    case "pick": {
      const got = await tools.call({ name: "get_task", arguments: { number: command.number } });
      if (!got.ok) return failed(got, { number: command.number });
      const task = taskOf(got);
      return `Task ${describe(task)} is ${task.status}.`;
    }
    default:
      return change(command, tools);
  }
}

async function change(
  command: Extract<Command, { target: Target }>,
  tools: ToolBox,
): Promise<string> {
  const found = await resolve(command.target, tools);
  if (typeof found === "string") return found;
  const { kind } = command;
  const [name, args, done] =
    kind === "rename"
      ? (["update_task", { ...found, title: command.title }, "Renamed"] as const)
      : kind === "complete"
        ? (["complete_task", found, "Completed"] as const)
        : kind === "reopen"
          ? (["reopen_task", found, "Reopened"] as const)
          : (["delete_task", found, "Deleted"] as const);
  const outcome = await tools.call({ name, arguments: args });
  if (!outcome.ok) return failed(outcome, command.target);
  const task = taskOf(outcome);
  return kind === "rename"
    ? `Renamed task #${task.number} to “${task.title}”.`
    : `${done} task ${describe(task)}.`;
}

/** A number as is; a title through `find_tasks`, or the answer to give when it is not one task. */
async function resolve(
  target: Target,
  tools: ToolBox,
): Promise<{ id: string } | { number: number } | string> {
  if ("number" in target) return { number: target.number };
  if (target.title === "") return "Which task? Give its number or its title.";
  const found = await tools.call({ name: "find_tasks", arguments: { title: target.title } });
  if (!found.ok) return failed(found, target);
  const items = (found.result?.items ?? []) as TaskJson[];
  const [first] = items;
  if (first === undefined) return `I can't find a task called “${target.title}”.`;
  if (items.length === 1) return { id: first.id };
  const numbers = items.map((task) => `#${task.number}`).join(", ");
  return `${AMBIGUOUS} “${target.title}”: ${numbers}. Which one? Say its number, for example “${first.number}”.`;
}

async function list(tools: ToolBox, status?: "open" | "done"): Promise<string> {
  const listed = await tools.call({
    name: "list_tasks",
    arguments: status === undefined ? {} : { status },
  });
  if (!listed.ok) return `I could not list your tasks: ${listed.error?.message}`;
  const items = (listed.result?.items ?? []) as TaskJson[];
  const which = status === undefined ? "" : `${status} `;
  if (items.length === 0) {
    return status === undefined
      ? "You have no tasks yet. Add one with “add <title>”."
      : `You have no ${which}tasks.`;
  }
  const lines = items.map(
    (task) =>
      `#${task.number} ${task.title}${status === undefined && task.status === "done" ? " (done)" : ""}`,
  );
  const more = listed.result?.nextCursor ? "\n…and more: the task list shows them all." : "";
  return `Your ${which}tasks:\n${lines.join("\n")}${more}`;
}

function failed(outcome: ToolOutcome, target: Target): string {
  if (outcome.error?.code === "ERR_NOT_FOUND") {
    return "number" in target
      ? `There is no task #${target.number}.`
      : `I can't find a task called “${target.title}”.`;
  }
  return `That did not work: ${outcome.error?.message ?? "unknown error"}`;
}

function taskOf(outcome: ToolOutcome): TaskJson {
  return outcome.result?.task as TaskJson;
}

function describe(task: TaskJson): string {
  return `#${task.number}: ${task.title}`;
}
