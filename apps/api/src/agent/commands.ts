/**
 * The built-in agent's language: plain commands, matched case-insensitively, with "please" and
 * trailing punctuation tolerated. Titles keep their case.
 */

/** A task as a person names it: by its number ("3", "#3", "task 3") or by its title. */
export type Target = { number: number } | { title: string };

export type Command =
  | { kind: "help" }
  | { kind: "add"; title: string }
  | { kind: "list"; status?: "open" | "done" }
  | { kind: "complete" | "reopen" | "delete"; target: Target }
  | { kind: "rename"; target: Target; title: string }
  | { kind: "pick"; number: number }
  | { kind: "unknown" };

const HELP = /^(?:help|\?|commands|what can you do)$/i;
const ADD = /^(?:add|create|new)(?:\s+(?:a\s+)?(?:new\s+)?task)?\b:?\s*(.*)$/is;
const RENAME = /^rename\s+(.+?)\s+to\s+(.+)$/is;
const COMPLETE =
  /^(?:complete|done|finish|check(?:\s+off)?|mark)\s+(.+?)(?:\s+(?:as\s+)?(?:done|complete|completed|finished))?$/is;
const REOPEN = /^(?:reopen|re-open|uncheck|undo)\s+(.+)$/is;
const DELETE = /^(?:delete|remove|drop)\s+(.+)$/is;
const NUMBER = /^(?:task\s+|number\s+|no\.?\s*)?#?\s*(\d{1,9})$/i;
const LIST =
  /^(?:(?:list|show|display|get)(?:\s+me)?(?:\s+(?:my|all|the|all\s+my))?(?:\s+(open|pending|done|completed|finished|closed))?(?:\s+tasks?)?|(?:my\s+)?(?:(open|done|completed)\s+)?tasks|todo|to-do|what(?:'s|’s|s|\s+is)\s+(open|left|pending|done|on\s+my\s+list))$/i;

/**
 * Parses one message.
 *
 * @example
 * ```ts
 * parseCommand("Please add buy milk!"); // { kind: "add", title: "buy milk" }
 * parseCommand("delete #3");            // { kind: "delete", target: { number: 3 } }
 * ```
 */
export function parseCommand(message: string): Command {
  const text = normalize(message);
  if (HELP.test(text)) return { kind: "help" };
  const pick = NUMBER.exec(text);
  if (pick !== null) return { kind: "pick", number: Number(pick[1]) };

  const list = LIST.exec(text);
  if (list !== null) {
    const word = (list[1] ?? list[2] ?? list[3] ?? "").toLowerCase();
    if (["open", "pending", "left"].includes(word)) return { kind: "list", status: "open" };
    if (["done", "completed", "finished", "closed"].includes(word)) {
      return { kind: "list", status: "done" };
    }
    return { kind: "list" };
  }
  const rename = RENAME.exec(text);
  if (rename !== null) {
    return { kind: "rename", target: target(rename[1]), title: unquote(rename[2]) };
  }
  const add = ADD.exec(text);
  if (add !== null) return { kind: "add", title: unquote(add[1]) };
  for (const [pattern, kind] of [
    [COMPLETE, "complete"],
    [REOPEN, "reopen"],
    [DELETE, "delete"],
  ] as const) {
    const match = pattern.exec(text);
    if (match !== null) return { kind, target: target(match[1]) };
  }
  return { kind: "unknown" };
}

/** Drops surrounding space, "please" at either end and trailing sentence punctuation. */
function normalize(message: string): string {
  let text = message.trim();
  for (;;) {
    const next = text
      .replace(/^please[\s,]+/i, "")
      .replace(/[\s,]+please$/i, "")
      .replace(/[.!?…]+$/u, "")
      .trim();
    if (next === text) return text;
    text = next;
  }
}

function target(text: string | undefined): Target {
  const value = unquote(text);
  const number = NUMBER.exec(value);
  return number === null ? { title: value } : { number: Number(number[1]) };
}

/** `"buy milk"`, `“buy milk”` and `'buy milk'` name the task `buy milk`. */
function unquote(text: string | undefined): string {
  const value = (text ?? "").trim();
  const quoted = /^(["“'‘])(.*)(["”'’])$/su.exec(value);
  return (quoted === null ? value : (quoted[2] ?? "")).trim();
}
