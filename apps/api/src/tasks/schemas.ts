/**
 * The tasks resource's wire schemas, in zod: the same objects validate requests (422 naming the
 * field) and generate `/openapi.json`, so the document cannot drift from what is enforced.
 */
import { z } from "@hono/zod-openapi";
import { NOTES_MAX, PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, TASK_STATUSES, TITLE_MAX } from "./model.js";

/**
 * Characters no task text may hold. PostgreSQL rejects U+0000 in `text` (it would be a 500), and
 * a lone surrogate cannot be encoded as UTF-8 (it would be silently stored as U+FFFD): refusing
 * both up front is the only way not to lose data.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching NUL is the point.
const UNSTORABLE = /\u0000|\p{Cs}/u;
/** C0 and C1 controls other than tab; a title is one line. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching controls is the point.
const CONTROL = /[\u0000-\u0008\u000A-\u001F\u007F-\u009F]/;

const text = (what: string) =>
  z.string({
    error: (issue) => (issue.input === undefined ? "Required." : `${what} must be a string.`),
  });

export const Title = text("The title")
  .trim()
  .min(1, "Must not be empty.")
  .max(TITLE_MAX, `Must be at most ${TITLE_MAX} characters.`)
  .refine((value) => !UNSTORABLE.test(value), "Must be valid Unicode text without NUL.")
  .refine((value) => !CONTROL.test(value), "Must be one line, without control characters.")
  .openapi({
    description: `1 to ${TITLE_MAX} characters, one line; surrounding space is trimmed.`,
    example: "Buy milk",
  });

export const Notes = text("The notes")
  .max(NOTES_MAX, `Must be at most ${NOTES_MAX} characters.`)
  .refine((value) => !UNSTORABLE.test(value), "Must be valid Unicode text without NUL.")
  .openapi({
    description: `Free text, up to ${NOTES_MAX} characters; kept as sent.`,
    example: "2 litres, semi-skimmed",
  });

const Status = z
  .enum(TASK_STATUSES as ["open", "done"], {
    error: `Must be one of: ${TASK_STATUSES.join(", ")}.`,
  })
  .openapi({ description: "`open` until completed." });

export const TaskSchema = z
  .object({
    id: z.uuid().openapi({ description: "Opaque id, unique across tenants." }),
    number: z
      .int()
      .positive()
      .openapi({ description: "Unique within the tenant: 1, 2, 3… Never reused.", example: 3 }),
    title: z.string().openapi({ example: "Buy milk" }),
    notes: z.string().openapi({ description: '`""` when none was given.' }),
    status: Status,
    createdBy: z.string().openapi({ description: "The `sub` of the user who created the task." }),
    createdAt: z.iso.datetime().openapi({ example: "2026-11-23T10:00:00.000Z" }),
    updatedAt: z.iso.datetime().openapi({ example: "2026-11-23T10:05:00.000Z" }),
    version: z.int().positive().openapi({
      description: 'Grows by one on every change; the `ETag` is `"<version>"`.',
      example: 1,
    }),
  })
  .openapi("Task");

export const TaskPageSchema = z
  .object({
    items: z.array(TaskSchema).openapi({ description: "Newest first." }),
    nextCursor: z
      .string()
      .nullable()
      .openapi({ description: "Pass as `cursor` for the next page; `null` on the last page." }),
  })
  .openapi("TaskPage");

/** `POST /api/tasks`. Unknown fields are refused, so a typo (`titel`) is not silently dropped. */
export const NewTaskSchema = z
  .strictObject({ title: Title, notes: Notes.optional() })
  .openapi("NewTask");

/** `PATCH /api/tasks/{id}`: any subset of the fields; `{}` changes nothing. */
export const TaskPatchSchema = z
  .strictObject({ title: Title.optional(), notes: Notes.optional(), status: Status.optional() })
  .openapi("TaskPatch");

export const ListQuerySchema = z.object({
  status: Status.optional().openapi({ param: { name: "status", in: "query" } }),
  limit: z
    .string({ error: "Must be given once." })
    .regex(/^\d{1,3}$/, `Must be a whole number from 1 to ${PAGE_SIZE_MAX}.`)
    .transform(Number)
    .refine(
      (n) => n >= 1 && n <= PAGE_SIZE_MAX,
      `Must be a whole number from 1 to ${PAGE_SIZE_MAX}.`,
    )
    .optional()
    .openapi({
      param: { name: "limit", in: "query" },
      type: "integer",
      description: `Page size, 1 to ${PAGE_SIZE_MAX}; default ${PAGE_SIZE_DEFAULT}.`,
    }),
  cursor: z
    .string({ error: "Must be given once." })
    .max(512, "Is not a cursor this API issued.")
    .optional()
    .openapi({
      param: { name: "cursor", in: "query" },
      description: "The `nextCursor` of the previous page.",
    }),
});

export const TaskIdParams = z.object({
  id: z.string().openapi({ param: { name: "id", in: "path" }, description: "The task's `id`." }),
});

export const ProblemSchema = z
  .object({
    type: z.url(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    code: z
      .string()
      .openapi({ description: "Stable; see docs/api/errors.md.", example: "ERR_VALIDATION" }),
    requestId: z.string().optional(),
    errors: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .openapi({ description: "On a 422: every rejected field." }),
  })
  .openapi("Problem");
