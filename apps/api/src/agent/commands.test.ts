import { describe, expect, it } from "vitest";
import { parseCommand } from "./commands.js";

describe("the built-in agent's commands", () => {
  it.each([
    ["add buy milk", { kind: "add", title: "buy milk" }],
    ["Add Buy Milk", { kind: "add", title: "Buy Milk" }],
    ["add task buy milk", { kind: "add", title: "buy milk" }],
    ["Please add a new task: “Call mom”!", { kind: "add", title: "Call mom" }],
    ["create pay rent please.", { kind: "add", title: "pay rent" }],
    ["new task water plants", { kind: "add", title: "water plants" }],
    ["add", { kind: "add", title: "" }],
    ["add task", { kind: "add", title: "" }],
    ["list", { kind: "list" }],
    ["list my tasks", { kind: "list" }],
    ["Show tasks", { kind: "list" }],
    ["show me all my tasks?", { kind: "list" }],
    ["my tasks", { kind: "list" }],
    ["what's open?", { kind: "list", status: "open" }],
    ["whats left", { kind: "list", status: "open" }],
    ["list open tasks", { kind: "list", status: "open" }],
    ["show done tasks", { kind: "list", status: "done" }],
    ["list completed tasks", { kind: "list", status: "done" }],
    ["complete buy milk", { kind: "complete", target: { title: "buy milk" } }],
    ["complete 'buy milk'", { kind: "complete", target: { title: "buy milk" } }],
    ["done 3", { kind: "complete", target: { number: 3 } }],
    ["finish #3!", { kind: "complete", target: { number: 3 } }],
    ["mark task 3 as done", { kind: "complete", target: { number: 3 } }],
    ["reopen 2", { kind: "reopen", target: { number: 2 } }],
    ["delete 3", { kind: "delete", target: { number: 3 } }],
    ["remove buy milk", { kind: "delete", target: { title: "buy milk" } }],
    ["rename 3 to buy oat milk", { kind: "rename", target: { number: 3 }, title: "buy oat milk" }],
    ["help", { kind: "help" }],
    ["What can you do?", { kind: "help" }],
    ["3", { kind: "pick", number: 3 }],
    ["#12", { kind: "pick", number: 12 }],
    ["sing a song", { kind: "unknown" }],
    ["address the letter", { kind: "unknown" }],
    ["", { kind: "unknown" }],
  ])("reads “%s”", (message, command) => {
    expect(parseCommand(message)).toEqual(command);
  });

  it("keeps a long title whole, whatever it contains", () => {
    const title = "prepare the “Q3 review”: slides, numbers & notes";
    expect(parseCommand(`add ${title}`)).toEqual({ kind: "add", title });
  });
});
