/** A task as the API answers it (docs/api/tasks.md). */
export interface Task {
  readonly id: string;
  readonly number: number;
  readonly title: string;
  readonly notes: string;
  readonly status: "open" | "done";
  readonly createdBy: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** 1 on creation, one more per change; the ETag is `"<version>"`. */
  readonly version: number;
}

/** The fields a PATCH may change. */
export interface TaskChanges {
  title?: string;
  notes?: string;
  status?: "open" | "done";
}

/** One page of `GET /api/tasks`. */
export interface TaskPage {
  readonly items: readonly Task[];
  readonly nextCursor: string | null;
}

/** How the store reaches the API; `lib/tasks/api.ts` is the real one, tests pass fakes. */
export interface TasksApi {
  list(cursor: string | null): Promise<TaskPage>;
  get(id: string): Promise<Task>;
  create(input: { title: string; notes?: string }): Promise<Task>;
  /** PATCH with `If-Match: "<version>"`. */
  update(id: string, changes: TaskChanges, version: number): Promise<Task>;
  /** DELETE with `If-Match: "<version>"`. */
  remove(id: string, version: number): Promise<void>;
}

/** A change announced by the live feed (`GET /api/tasks/live`): the task's ETag after it. */
export interface TaskEvent {
  readonly type: "task.created" | "task.updated" | "task.deleted";
  readonly id: string;
  readonly etag: string;
}
