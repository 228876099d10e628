/**
 * The task tools' input shapes. Titles and notes reuse the REST schemas, so a title the REST API
 * refuses is refused here too; the descriptions are what a model reads to call the tools.
 */
import { z } from "zod";
import {
  PAGE_SIZE_DEFAULT,
  PAGE_SIZE_MAX,
  TASK_STATUSES,
  type TaskStatus,
} from "../tasks/model.js";
import { Notes, Title } from "../tasks/schemas.js";

const status = z
  .enum(TASK_STATUSES as [TaskStatus, ...TaskStatus[]])
  .describe("`open` until completed, then `done`.");

/** Either names the task; give exactly one. */
export const taskRef = {
  id: z.string().min(1).max(100).optional().describe("The task's opaque `id` (a UUID)."),
  number: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('The task\'s short number, as users say it ("task 3"). Give `id` or `number`.'),
};

export const listInput = {
  status: status.optional().describe("Only tasks with this status; all tasks when absent."),
  limit: z
    .number()
    .int()
    .min(1)
    .max(PAGE_SIZE_MAX)
    .optional()
    .describe(`Page size, 1 to ${PAGE_SIZE_MAX}; default ${PAGE_SIZE_DEFAULT}. Newest first.`),
  cursor: z
    .string()
    .max(512)
    .optional()
    .describe("The `nextCursor` of the previous page, to read the next one."),
};

export const addInput = {
  title: Title.describe("The task's title: one line, 1 to 200 characters."),
  notes: Notes.optional().describe("Optional free-text notes."),
};

export const updateInput = {
  ...taskRef,
  title: Title.optional().describe("A new title: one line, 1 to 200 characters."),
  notes: Notes.optional().describe('New notes; `""` clears them.'),
  status: status.optional().describe("A new status: `open` or `done`."),
};

export const findInput = {
  title: z
    .string()
    .min(1)
    .max(200)
    .describe("The exact title to look for, ignoring case and surrounding space."),
};

/** A parsed task reference, as the SDK hands it to a handler. */
export interface TaskRef {
  id?: string | undefined;
  number?: number | undefined;
}
