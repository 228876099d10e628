import { describeError, statusOf } from "../errors";
import type { Task, TaskChanges, TaskEvent, TasksApi } from "./types";

/** A short message about the outcome of a change, shown above the list. */
export interface Notice {
  readonly id: number;
  readonly tone: "info" | "error";
  readonly text: string;
}

/** What the task list shows; a new object after every change (for useSyncExternalStore). */
export interface TasksSnapshot {
  readonly phase: "loading" | "ready" | "failed";
  /** Why the first load failed, when `phase` is `failed`. */
  readonly loadError: string | null;
  /** The server's tasks with every change still in flight applied, newest first. */
  readonly tasks: readonly Task[];
  /** Ids of tasks with a change in flight (including the temporary ids of tasks being added). */
  readonly pending: ReadonlySet<string>;
  readonly notice: Notice | null;
}

type Op =
  | { readonly kind: "create"; readonly opId: number; readonly task: Task }
  | { readonly kind: "update"; readonly opId: number; readonly id: string; changes: TaskChanges }
  | { readonly kind: "delete"; readonly opId: number; readonly id: string };

/** Ids of tasks the server has not confirmed yet start with this. */
export const TEMP_ID_PREFIX = "temp-";

/** The version an ETag names (`"3"` → 3; RFC 9110 §8.8.3); NaN for any other tag. */
const versionOf = (etag: string) => (/^"\d+"$/.test(etag) ? Number(etag.slice(1, -1)) : Number.NaN);

/** Pages of 100 read per refresh, at most: 1,000 tasks. */
const MAX_PAGES = 10;

/**
 * The dashboard's tasks, with optimistic updates. The server's last answer is kept apart from
 * the changes in flight, and what the list shows is the first with the second applied: a
 * change appears at once, a confirmed one is replaced by the server's task, and a failed one
 * simply disappears, which rolls it back.
 *
 * Changes to one task are sent one after another, each with `If-Match` set to the version the
 * server last confirmed, so a quick double toggle never trips over its own ETag. A 412 (the
 * task changed elsewhere) reloads that task and says so.
 *
 * @example
 * ```ts
 * const store = new TaskStore(tasksApi);
 * await store.refresh();
 * void store.update(id, { status: "done" });
 * ```
 */
export class TaskStore {
  readonly #api: TasksApi;
  #server: Task[] = [];
  #ops: Op[] = [];
  #phase: TasksSnapshot["phase"] = "loading";
  #loadError: string | null = null;
  #notice: Notice | null = null;
  #snapshot: TasksSnapshot;
  readonly #listeners = new Set<() => void>();
  readonly #queues = new Map<string, Promise<void>>();
  /** Changes completed so far: a listing read while one completed may be stale. */
  #completed = 0;
  #refreshing: Promise<void> | null = null;
  #refreshAgain = false;
  #nextId = 1;
  /** Adds in flight: a live event about an unknown task may be one of them. */
  readonly #adding = new Set<Promise<void>>();

  constructor(api: TasksApi) {
    this.#api = api;
    this.#snapshot = this.#build();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getSnapshot = (): TasksSnapshot => this.#snapshot;

  /**
   * Reloads the list. Calls while one runs share it, and it reads once more afterwards, so
   * the last caller (the agent having changed a task, say) always sees a listing read after
   * its call.
   */
  refresh(): Promise<void> {
    if (this.#refreshing !== null) {
      this.#refreshAgain = true;
      return this.#refreshing;
    }
    this.#refreshing = (async () => {
      try {
        do {
          this.#refreshAgain = false;
          await this.#load();
        } while (this.#refreshAgain);
      } finally {
        this.#refreshing = null;
      }
    })();
    return this.#refreshing;
  }

  /** Adds a task; it shows at once with a temporary id. */
  add(title: string, notes = ""): Promise<void> {
    const adding = this.#add(title, notes);
    this.#adding.add(adding);
    void adding.finally(() => this.#adding.delete(adding));
    return adding;
  }

  async #add(title: string, notes: string): Promise<void> {
    const opId = this.#nextId++;
    const now = new Date().toISOString();
    const task: Task = {
      id: `${TEMP_ID_PREFIX}${opId}`,
      number: 0,
      title: title.trim(),
      notes,
      status: "open",
      createdBy: "",
      createdAt: now,
      updatedAt: now,
      version: 0,
    };
    this.#ops.push({ kind: "create", opId, task });
    this.#emit();
    try {
      const created = await this.#api.create(notes === "" ? { title } : { title, notes });
      this.#server = [created, ...this.#server.filter((item) => item.id !== created.id)];
    } catch (error) {
      this.#say("error", `Couldn't add “${task.title}”: ${describeError(error)}`);
    } finally {
      this.#finish(opId);
    }
  }

  /** Changes a task's title, notes or status. */
  update(id: string, changes: TaskChanges): Promise<void> {
    if (id.startsWith(TEMP_ID_PREFIX)) return Promise.resolve();
    const opId = this.#nextId++;
    this.#ops.push({ kind: "update", opId, id, changes });
    this.#emit();
    return this.#enqueue(id, async () => {
      const current = this.#server.find((task) => task.id === id);
      try {
        if (current === undefined) return this.#say("info", "That task no longer exists.");
        this.#replace(await this.#api.update(id, changes, current.version));
      } catch (error) {
        await this.#recover(id, current?.title ?? "", error, "save");
      } finally {
        this.#finish(opId);
      }
    });
  }

  /** Marks an open task done, or a done task open. */
  toggle(id: string): Promise<void> {
    const task = this.#snapshot.tasks.find((item) => item.id === id);
    if (task === undefined) return Promise.resolve();
    return this.update(id, { status: task.status === "done" ? "open" : "done" });
  }

  /** Deletes a task; it disappears at once. */
  remove(id: string): Promise<void> {
    if (id.startsWith(TEMP_ID_PREFIX)) return Promise.resolve();
    const opId = this.#nextId++;
    this.#ops.push({ kind: "delete", opId, id });
    this.#emit();
    return this.#enqueue(id, async () => {
      const current = this.#server.find((task) => task.id === id);
      try {
        if (current !== undefined) await this.#api.remove(id, current.version);
        this.#server = this.#server.filter((task) => task.id !== id);
      } catch (error) {
        // Already gone is what was asked for.
        if (statusOf(error) === 404) this.#server = this.#server.filter((task) => task.id !== id);
        else await this.#recover(id, current?.title ?? "", error, "delete");
      } finally {
        this.#finish(opId);
      }
    });
  }

  /**
   * Applies a change the live feed announced (lib/tasks/live.ts), in turn with this page's own
   * changes to that task. An event about a version the page already holds (its own change,
   * echoed; a repeat after a reconnection) costs nothing; a newer one reads the task. A deleted
   * task leaves the list. What fails here is left to the next refresh.
   */
  apply(event: TaskEvent): Promise<void> {
    return this.#enqueue(event.id, async () => {
      if (event.type === "task.deleted") return this.#drop(event.id);
      if (this.#holds(event)) return;
      // The page's own add, whose answer has not come back yet: wait for it rather than show
      // the task twice.
      if (!this.#server.some((task) => task.id === event.id)) {
        await Promise.allSettled([...this.#adding]);
        if (this.#holds(event)) return;
      }
      let fresh: Task;
      try {
        fresh = await this.#api.get(event.id);
      } catch (error) {
        if (statusOf(error) === 404) this.#drop(event.id);
        return;
      }
      this.#upsert(fresh);
    });
  }

  /** Clears the notice; with an id, only if that notice is still the one shown. */
  dismissNotice(id?: number): void {
    if (this.#notice === null || (id !== undefined && this.#notice.id !== id)) return;
    this.#notice = null;
    this.#emit();
  }

  async #load(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const completedBefore = this.#completed;
      let items: Task[];
      try {
        items = await this.#readAll();
      } catch (error) {
        if (this.#phase === "ready") {
          this.#say("error", `Couldn't refresh the tasks: ${describeError(error)}`);
        } else {
          this.#phase = "failed";
          this.#loadError = describeError(error);
        }
        return this.#emit();
      }
      // A change confirmed while the listing was read may be missing from it: read again.
      if (this.#completed !== completedBefore && attempt < 3) continue;
      const known = new Map(this.#server.map((task) => [task.id, task]));
      this.#server = items.map((task) => {
        const mine = known.get(task.id);
        return mine !== undefined && mine.version > task.version ? mine : task;
      });
      this.#phase = "ready";
      this.#loadError = null;
      return this.#emit();
    }
  }

  async #readAll(): Promise<Task[]> {
    const items: Task[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = await this.#api.list(cursor);
      items.push(...result.items);
      cursor = result.nextCursor;
      if (cursor === null) break;
    }
    return items;
  }

  /** After a failed change: a 412 or 404 reloads the task; anything else is reported. */
  async #recover(id: string, title: string, error: unknown, verb: string): Promise<void> {
    const status = statusOf(error);
    if (status === 412) {
      try {
        const fresh = await this.#api.get(id);
        this.#replace(fresh);
        return this.#say("info", `“${fresh.title}” changed elsewhere — reloaded.`);
      } catch (reload) {
        if (statusOf(reload) !== 404) {
          return this.#say("error", `Couldn't reload “${title}”: ${describeError(reload)}`);
        }
      }
    }
    if (status === 412 || status === 404) {
      this.#server = this.#server.filter((task) => task.id !== id);
      return this.#say("info", `“${title}” was deleted elsewhere.`);
    }
    this.#say("error", `Couldn't ${verb} “${title}”: ${describeError(error)}`);
  }

  /** Whether the page holds the event's version of its task, or a later one. */
  #holds(event: TaskEvent): boolean {
    const known = this.#server.find((task) => task.id === event.id);
    return known !== undefined && known.version >= versionOf(event.etag);
  }

  #upsert(task: Task): void {
    if (this.#server.some((item) => item.id === task.id)) this.#replace(task);
    else {
      // Newest first, as the API lists them.
      const at = this.#server.findIndex((item) => item.number < task.number);
      const cut = at === -1 ? this.#server.length : at;
      this.#server = [...this.#server.slice(0, cut), task, ...this.#server.slice(cut)];
    }
    this.#changedElsewhere();
  }

  #drop(id: string): void {
    if (!this.#server.some((task) => task.id === id)) return;
    this.#server = this.#server.filter((task) => task.id !== id);
    this.#changedElsewhere();
  }

  /** A listing being read may predate this change: it is read again (see #load). */
  #changedElsewhere(): void {
    this.#completed++;
    this.#emit();
  }

  #replace(task: Task): void {
    this.#server = this.#server.map((item) =>
      item.id === task.id && item.version <= task.version ? task : item,
    );
  }

  #enqueue(id: string, job: () => Promise<void>): Promise<void> {
    const next = (this.#queues.get(id) ?? Promise.resolve()).then(job);
    this.#queues.set(id, next);
    void next.finally(() => {
      if (this.#queues.get(id) === next) this.#queues.delete(id);
    });
    return next;
  }

  #finish(opId: number): void {
    this.#ops = this.#ops.filter((op) => op.opId !== opId);
    this.#completed++;
    this.#emit();
  }

  #say(tone: Notice["tone"], text: string): void {
    this.#notice = { id: this.#nextId++, tone, text };
  }

  #emit(): void {
    this.#snapshot = this.#build();
    for (const listener of this.#listeners) listener();
  }

  #build(): TasksSnapshot {
    const created: Task[] = [];
    const deleted = new Set<string>();
    const changes = new Map<string, TaskChanges>();
    const pending = new Set<string>();
    for (const op of this.#ops) {
      if (op.kind === "create") {
        created.unshift(op.task);
        pending.add(op.task.id);
        continue;
      }
      pending.add(op.id);
      if (op.kind === "delete") deleted.add(op.id);
      else changes.set(op.id, { ...changes.get(op.id), ...op.changes });
    }
    const tasks = [
      ...created,
      ...this.#server
        .filter((task) => !deleted.has(task.id))
        .map((task) => {
          const change = changes.get(task.id);
          return change === undefined ? task : { ...task, ...change };
        }),
    ];
    return {
      phase: this.#phase,
      loadError: this.#loadError,
      tasks,
      pending,
      notice: this.#notice,
    };
  }
}
