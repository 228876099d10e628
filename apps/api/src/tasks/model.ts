/**
 * The task model and the storage contract every caller (REST, MCP tools, the agent) uses.
 * Every operation takes the caller's {@link Scope}: there is no way to reach a task without
 * naming the tenant, so a task of another tenant is indistinguishable from one that never
 * existed.
 */

/** A task is open until it is completed. */
export type TaskStatus = "open" | "done";

/** The statuses, in the order clients show them. */
export const TASK_STATUSES: readonly TaskStatus[] = ["open", "done"];

/** Limits shared by REST validation, MCP tool schemas and the storage columns. */
export const TITLE_MAX = 200;
export const NOTES_MAX = 10_000;
export const PAGE_SIZE_DEFAULT = 50;
export const PAGE_SIZE_MAX = 100;

/** Who is asking: every storage call is scoped by the tenant; the user is recorded as author. */
export interface Scope {
  readonly tenantId: string;
  readonly userId: string;
}

/** A stored task. */
export interface Task {
  /** Opaque id (a UUID), unique across tenants. */
  readonly id: string;
  /** A short number, unique within the tenant, 1, 2, 3…: what people say ("delete 3"). */
  readonly number: number;
  readonly title: string;
  /** Free text; `""` when none was given. */
  readonly notes: string;
  readonly status: TaskStatus;
  /** The user (`sub`) who created the task. */
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** Starts at 1 and grows by one on every change; the `ETag` is derived from it. */
  readonly version: number;
}

/** What a client gives to create a task. `title` is already trimmed and non-empty. */
interface NewTask {
  readonly title: string;
  readonly notes?: string;
}

/** The fields a change may set; absent fields are left as they are. */
export interface TaskPatch {
  readonly title?: string;
  readonly notes?: string;
  readonly status?: TaskStatus;
}

/** One page of a listing, newest task first. */
interface TaskPage {
  readonly items: readonly Task[];
  /** Pass back as `cursor` for the next page; `null` on the last page. */
  readonly nextCursor: string | null;
}

interface ListOptions {
  /** Only tasks with this status. */
  readonly status?: TaskStatus;
  /** Page size, 1 to {@link PAGE_SIZE_MAX}. @default PAGE_SIZE_DEFAULT */
  readonly limit?: number;
  /** The `nextCursor` of the previous page. */
  readonly cursor?: string;
}

/**
 * A precondition on a change: the change applies only if the task's current version is one
 * of these (from `If-Match`). Absent: the change applies to whatever version is stored.
 */
export interface Precondition {
  readonly versions?: readonly number[];
}

/**
 * The storage contract. Implementations scope every statement by `scope.tenantId`.
 *
 * Errors (thrown, matched by `code`):
 * - `ERR_NOT_FOUND` when the task does not exist in the tenant (including a malformed id);
 * - `ERR_PRECONDITION_FAILED` when a {@link Precondition} does not hold (the error carries the
 *   current ETag);
 * - `ERR_VALIDATION` (field `cursor`) for a cursor this store did not issue.
 */
export interface TaskStore {
  list(scope: Scope, options?: ListOptions): Promise<TaskPage>;
  create(scope: Scope, task: NewTask): Promise<Task>;
  /** @throws `ERR_NOT_FOUND` */
  get(scope: Scope, id: string): Promise<Task>;
  /** The task with this tenant-local number. @throws `ERR_NOT_FOUND` */
  getByNumber(scope: Scope, number: number): Promise<Task>;
  /** Tasks whose title equals `title`, ignoring case and surrounding space; newest first. */
  findByTitle(scope: Scope, title: string): Promise<readonly Task[]>;
  /** Applies the patch atomically, bumping `version` and `updatedAt`. @throws `ERR_NOT_FOUND`, `ERR_PRECONDITION_FAILED` */
  update(scope: Scope, id: string, patch: TaskPatch, precondition?: Precondition): Promise<Task>;
  /** @throws `ERR_NOT_FOUND`, `ERR_PRECONDITION_FAILED` */
  delete(scope: Scope, id: string, precondition?: Precondition): Promise<Task>;
}

/** The strong entity tag of a task version (RFC 9110 §8.8.3). */
export function etagOf(task: Pick<Task, "version">): string {
  return `"${task.version}"`;
}

/** A task as every interface (REST, MCP, agent events) shows it. */
export interface TaskJson {
  id: string;
  number: number;
  title: string;
  notes: string;
  status: TaskStatus;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** Serialises a task for the wire: dates as ISO 8601 UTC strings. */
export function toTaskJson(task: Task): TaskJson {
  return {
    id: task.id,
    number: task.number,
    title: task.title,
    notes: task.notes,
    status: task.status,
    createdBy: task.createdBy,
    createdAt: task.createdAt.toISOString(),
    updatedAt: task.updatedAt.toISOString(),
    version: task.version,
  };
}
