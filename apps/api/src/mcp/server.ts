import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult, ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import type { Logger } from "pino";
import { errorCode, NotFoundError } from "../errors.js";
import { type Scope, type Task, type TaskStore, toTaskJson } from "../tasks/model.js";
import { failure, guarded, success } from "./results.js";
import { addInput, findInput, listInput, type TaskRef, taskRef, updateInput } from "./schemas.js";

/** Options for {@link createTaskMcpServer}. */
export interface TaskMcpServerOptions {
  /** Where unexpected tool failures are logged (with the error, never sent to the caller). */
  logger?: Logger;
}

/** MCP tool annotations (spec 2025-06-18, "Tool Annotations"): what each kind of tool may do. */
const READ: ToolAnnotations = { readOnlyHint: true, openWorldHint: false };
const ADD: ToolAnnotations = { readOnlyHint: false, destructiveHint: false, openWorldHint: false };
const SET: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};
const EDIT: ToolAnnotations = { ...SET, destructiveHint: true };
const DELETE: ToolAnnotations = { ...EDIT };

/**
 * Creates an MCP server whose tools act on the tasks of one caller: every store call is scoped
 * by `scope`, so another tenant's task is "not found", exactly like one that never existed.
 * Tools that change tasks have `readOnlyHint: false`; the agent tells the UI to refresh by it.
 *
 * Results carry `structuredContent` (`{ task }`, `{ items, nextCursor }` or `{ items }`) and
 * the same JSON as text. Failures are tool results with `isError: true` and
 * `structuredContent.error = { code, message }` (`ERR_NOT_FOUND`, `ERR_VALIDATION`, …), never
 * protocol errors. No `outputSchema` is declared: the SDK client checks `structuredContent`
 * against it even on error results, which would turn every coded error into a protocol error.
 *
 * @example
 * ```ts
 * const server = createTaskMcpServer(store, { tenantId, userId });
 * await server.connect(transport);
 * ```
 */
export function createTaskMcpServer(
  store: TaskStore,
  scope: Scope,
  options: TaskMcpServerOptions = {},
): McpServer {
  const { logger } = options;
  const server = new McpServer(
    { name: "taskflow", version: "1.0.0" },
    {
      instructions:
        "Tools for the signed-in user's TaskFlow tasks. Every tool sees only the tasks of the " +
        "user's tenant. Tasks have an `id` and a short `number` (1, 2, 3…) that people use.",
    },
  );
  const run = (tool: string, body: () => Promise<CallToolResult>) => guarded(logger, tool, body);
  const one = (task: Task) => success({ task: toTaskJson(task) });

  server.registerTool(
    "list_tasks",
    {
      title: "List tasks",
      description: "Lists the user's tasks, newest first, one page at a time.",
      inputSchema: listInput,
      annotations: READ,
    },
    (args) =>
      run("list_tasks", async () => {
        const page = await store.list(scope, args);
        return success({ items: page.items.map(toTaskJson), nextCursor: page.nextCursor });
      }),
  );

  server.registerTool(
    "get_task",
    {
      title: "Get a task",
      description: "Reads one task by `id` or by `number`.",
      inputSchema: taskRef,
      annotations: READ,
    },
    (args) => run("get_task", async () => withTask(store, scope, args, async (task) => one(task))),
  );

  server.registerTool(
    "find_tasks",
    {
      title: "Find tasks by title",
      description:
        "Finds the tasks whose title equals `title`, ignoring case and surrounding space; use " +
        "it to turn a title the user says into a task `number`. Several results mean the title " +
        "is ambiguous: ask the user which number they mean.",
      inputSchema: findInput,
      annotations: READ,
    },
    ({ title }) =>
      run("find_tasks", async () => {
        const items = await store.findByTitle(scope, title);
        return success({ items: items.map(toTaskJson) });
      }),
  );

  server.registerTool(
    "add_task",
    {
      title: "Add a task",
      description: "Creates an open task. Returns it, with its new `number`.",
      inputSchema: addInput,
      annotations: ADD,
    },
    ({ title, notes }) =>
      run("add_task", async () =>
        one(await store.create(scope, notes === undefined ? { title } : { title, notes })),
      ),
  );

  server.registerTool(
    "update_task",
    {
      title: "Update a task",
      description:
        "Changes a task's title, notes and/or status. Name the task by `id` or `number`; give " +
        "at least one field to change.",
      inputSchema: updateInput,
      annotations: EDIT,
    },
    ({ id, number, title, notes, status }) =>
      run("update_task", async () => {
        const patch = {
          ...(title === undefined ? {} : { title }),
          ...(notes === undefined ? {} : { notes }),
          ...(status === undefined ? {} : { status }),
        };
        if (Object.keys(patch).length === 0) {
          return failure("ERR_VALIDATION", "Give at least one of `title`, `notes`, `status`.");
        }
        return withTask(store, scope, { id, number }, async (task) =>
          one(await store.update(scope, task.id, patch)),
        );
      }),
  );

  const setStatus = (name: string, title: string, description: string, status: Task["status"]) =>
    server.registerTool(
      name,
      { title, description, inputSchema: taskRef, annotations: SET },
      (args) =>
        run(name, async () =>
          withTask(store, scope, args, async (task) =>
            one(await store.update(scope, task.id, { status })),
          ),
        ),
    );
  setStatus(
    "complete_task",
    "Complete a task",
    "Marks a task `done`, by `id` or `number`.",
    "done",
  );
  setStatus("reopen_task", "Reopen a task", "Marks a `done` task `open` again.", "open");

  server.registerTool(
    "delete_task",
    {
      title: "Delete a task",
      description: "Deletes a task for good, by `id` or `number`. Returns the deleted task.",
      inputSchema: taskRef,
      annotations: DELETE,
    },
    (args) =>
      run("delete_task", async () =>
        withTask(store, scope, args, async (task) => one(await store.delete(scope, task.id))),
      ),
  );

  return server;
}

/** Resolves `{ id }` or `{ number }` to a task of the caller's tenant, then runs `body` on it. */
async function withTask(
  store: TaskStore,
  scope: Scope,
  ref: TaskRef,
  body: (task: Task) => Promise<CallToolResult>,
): Promise<CallToolResult> {
  if ((ref.id === undefined) === (ref.number === undefined)) {
    return failure("ERR_VALIDATION", "Name the task by exactly one of `id` or `number`.");
  }
  let task: Task;
  try {
    task =
      ref.id !== undefined
        ? await store.get(scope, ref.id)
        : await store.getByNumber(scope, ref.number as number);
  } catch (error) {
    if (errorCode(error) !== "ERR_NOT_FOUND") throw error;
    // The same words for another tenant's task and for none at all: nothing to probe.
    throw new NotFoundError(
      ref.id !== undefined ? "No task has this id." : `There is no task #${ref.number}.`,
    );
  }
  return body(task);
}
