import { and, desc, eq, inArray, lt, type SQL, sql } from "drizzle-orm";
import { type Db, type TaskRow, tasks, tenants } from "../db/schema.js";
import { NotFoundError, ValidationError } from "../errors.js";
import { PreconditionFailedError } from "./errors.js";
import { CHANGE_LOG_SIZE, recordChange } from "./live/changes.js";
import {
  etagOf,
  NOTES_MAX,
  PAGE_SIZE_DEFAULT,
  PAGE_SIZE_MAX,
  type Precondition,
  type Scope,
  type Task,
  type TaskPatch,
  type TaskStore,
  TITLE_MAX,
} from "./model.js";

/** Options of {@link createTaskStore}. */
export interface TaskStoreOptions {
  /**
   * Changes kept per tenant for event streams to catch up from.
   * @default CHANGE_LOG_SIZE (1000)
   */
  changeLogSize?: number;
}

/** The most tasks {@link TaskStore.findByTitle} returns: enough to ask "which one?". */
export const FIND_BY_TITLE_MAX = 20;

/** The largest PostgreSQL `integer`: a bigger number in a query is an SQL error, hence a 500. */
const INT4_MAX = 2_147_483_647;

/** Task ids as the database writes them; anything else is not a task (and not an SQL error). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The {@link TaskStore} on a Drizzle database. Every statement names `scope.tenantId`, so
 * another tenant's task is answered exactly like one that does not exist.
 *
 * Beyond the contract, `create` and `update` refuse (`ERR_VALIDATION`) a title or notes that
 * PostgreSQL could not store: a NUL character, or more than {@link TITLE_MAX} /
 * {@link NOTES_MAX} characters. The REST layer checks these first; this keeps any other
 * caller from turning them into a 500.
 *
 * Every create, change and delete is recorded in the same transaction as the write (see
 * `live/changes.ts`): numbered, logged and announced with `NOTIFY`, so the live feed hears of
 * it whichever interface (REST, MCP, the agent, ChatKit) made it.
 *
 * @example
 * ```ts
 * const store = createTaskStore(database.db);
 * const task = await store.create({ tenantId: "acme", userId: "u1" }, { title: "Buy milk" });
 * ```
 */
export function createTaskStore(db: Db, options: TaskStoreOptions = {}): TaskStore {
  const { changeLogSize = CHANGE_LOG_SIZE } = options;
  const ofTenant = (scope: Scope) => eq(tasks.tenantId, scope.tenantId);
  const byId = (scope: Scope, id: string) => and(ofTenant(scope), eq(tasks.id, id));

  /** The task's row, or a 404 when it is not in the scope's tenant. */
  async function find(scope: Scope, id: string): Promise<TaskRow> {
    const [row] = UUID.test(id) ? await db.select().from(tasks).where(byId(scope, id)) : [];
    if (row === undefined) throw taskNotFound();
    return row;
  }

  /** Why a conditional change touched no row: the task is gone (404) or has moved on (412). */
  async function refusal(scope: Scope, id: string): Promise<Error> {
    const [row] = await db.select().from(tasks).where(byId(scope, id));
    return row === undefined ? taskNotFound() : new PreconditionFailedError(etagOf(row));
  }

  return {
    async list(scope, options = {}) {
      const limit = pageSize(options.limit);
      const before = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
      const rows = await db
        .select()
        .from(tasks)
        .where(
          and(
            ofTenant(scope),
            options.status === undefined ? undefined : eq(tasks.status, options.status),
            before === undefined ? undefined : lt(tasks.number, before),
          ),
        )
        .orderBy(desc(tasks.number))
        // One more than asked tells whether another page follows, without a count.
        .limit(limit + 1);
      const items = rows.slice(0, limit).map(toTask);
      const last = items.at(-1);
      const more = rows.length > limit && last !== undefined;
      return { items, nextCursor: more ? encodeCursor(last.number) : null };
    },

    async create(scope, input) {
      const notes = input.notes ?? "";
      checkText({ title: input.title, notes });
      return db.transaction(async (tx) => {
        // Takes a row lock on the tenant's counter until commit: concurrent creates in one
        // tenant queue here and get consecutive numbers; a rolled-back create returns its own.
        const [counter] = await tx
          .insert(tenants)
          .values({ id: scope.tenantId, nextTaskNumber: 2 })
          .onConflictDoUpdate({
            target: tenants.id,
            set: { nextTaskNumber: sql`${tenants.nextTaskNumber} + 1` },
          })
          .returning({ next: tenants.nextTaskNumber });
        const [row] = await tx
          .insert(tasks)
          .values({
            tenantId: scope.tenantId,
            number: counter!.next - 1,
            title: input.title,
            titleKey: titleKey(input.title),
            notes,
            status: "open",
            createdBy: scope.userId,
          })
          .returning();
        const task = toTask(row!);
        await recordChange(tx, scope.tenantId, "created", task, changeLogSize);
        return task;
      });
    },

    async get(scope, id) {
      return toTask(await find(scope, id));
    },

    async getByNumber(scope, number) {
      if (!Number.isInteger(number) || number < 1 || number > INT4_MAX) throw taskNotFound();
      const [row] = await db
        .select()
        .from(tasks)
        .where(and(ofTenant(scope), eq(tasks.number, number)));
      if (row === undefined) throw taskNotFound();
      return toTask(row);
    },

    async findByTitle(scope, title) {
      const key = titleKey(title);
      if (key === "") return [];
      const rows = await db
        .select()
        .from(tasks)
        .where(and(ofTenant(scope), eq(tasks.titleKey, key)))
        .orderBy(desc(tasks.number))
        .limit(FIND_BY_TITLE_MAX);
      return rows.map(toTask);
    },

    async update(scope, id, patch, precondition) {
      const changes = changesOf(patch);
      if (changes === undefined) {
        // Nothing to change: no new version, but a stale precondition still answers 412.
        const row = await find(scope, id);
        if (!holds(precondition, row.version)) throw new PreconditionFailedError(etagOf(row));
        return toTask(row);
      }
      if (!UUID.test(id)) throw taskNotFound();
      const row = await db.transaction(async (tx) => {
        // One statement: the precondition is checked and the change applied atomically.
        const [changed] = await tx
          .update(tasks)
          .set({ ...changes, version: sql`${tasks.version} + 1`, updatedAt: sql`now()` })
          .where(and(byId(scope, id), versionIn(precondition)))
          .returning();
        if (changed !== undefined) {
          await recordChange(tx, scope.tenantId, "updated", changed, changeLogSize);
        }
        return changed;
      });
      if (row === undefined) throw await refusal(scope, id);
      return toTask(row);
    },

    async delete(scope, id, precondition) {
      if (!UUID.test(id)) throw taskNotFound();
      const row = await db.transaction(async (tx) => {
        const [deleted] = await tx
          .delete(tasks)
          .where(and(byId(scope, id), versionIn(precondition)))
          .returning();
        if (deleted !== undefined) {
          await recordChange(tx, scope.tenantId, "deleted", deleted, changeLogSize);
        }
        return deleted;
      });
      if (row === undefined) throw await refusal(scope, id);
      return toTask(row);
    },
  };
}

function taskNotFound(): NotFoundError {
  return new NotFoundError("No task with this id.");
}

/** The public fields of a row: never `tenant_id` nor `title_key`. */
function toTask(row: TaskRow): Task {
  return {
    id: row.id,
    number: row.number,
    title: row.title,
    notes: row.notes,
    status: row.status,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    version: row.version,
  };
}

/**
 * What `findByTitle` compares: trimmed, NFKC-normalised (a composed "é" equals "e" + U+0301,
 * "ﬁ" equals "fi"), then case-folded. Upper- then lower-casing approximates Unicode case
 * folding with JavaScript's locale-free mappings: "ΣΑΣ", "σας" and "σασ" all give "σας", and
 * "STRASSE" equals "straße".
 */
function titleKey(title: string): string {
  return title.trim().normalize("NFKC").toUpperCase().toLowerCase();
}

/** The columns a patch sets, or `undefined` when it sets none. */
function changesOf(patch: TaskPatch): Partial<TaskRow> | undefined {
  const changes: Partial<TaskRow> = {};
  if (patch.title !== undefined) {
    changes.title = patch.title;
    changes.titleKey = titleKey(patch.title);
  }
  if (patch.notes !== undefined) changes.notes = patch.notes;
  if (patch.status !== undefined) changes.status = patch.status;
  checkText(changes);
  return Object.keys(changes).length === 0 ? undefined : changes;
}

function checkText(fields: { title?: string; notes?: string }): void {
  const problems = [
    textProblem("title", fields.title, TITLE_MAX),
    textProblem("notes", fields.notes, NOTES_MAX),
  ].filter((problem) => problem !== undefined);
  if (problems.length > 0) throw new ValidationError(problems);
}

function textProblem(field: string, value: string | undefined, max: number) {
  if (value === undefined) return undefined;
  // PostgreSQL text cannot hold U+0000 at all ("invalid byte sequence for encoding UTF8").
  if (value.includes("\u0000")) return { field, message: "Must not contain NUL characters." };
  // varchar(n) counts characters (code points), not UTF-16 units.
  if ([...value].length > max) return { field, message: `Must be at most ${max} characters.` };
  return undefined;
}

/** Whether a precondition admits `version`; no precondition admits every version. */
function holds(precondition: Precondition | undefined, version: number): boolean {
  return precondition?.versions === undefined || precondition.versions.includes(version);
}

/** The SQL form of {@link holds}. */
function versionIn(precondition: Precondition | undefined): SQL | undefined {
  if (precondition?.versions === undefined) return undefined;
  // A version out of `integer` range cannot be stored, so it cannot match; sent, it would fail.
  const versions = precondition.versions.filter(
    (v) => Number.isInteger(v) && v >= 1 && v <= INT4_MAX,
  );
  return versions.length === 0 ? sql`false` : inArray(tasks.version, versions);
}

/** The page size: the given limit, whole and within 1…{@link PAGE_SIZE_MAX}. */
function pageSize(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return PAGE_SIZE_DEFAULT;
  return Math.min(PAGE_SIZE_MAX, Math.max(1, Math.trunc(limit)));
}

/**
 * Cursors are opaque to clients: base64url of `v1:<number>`, the number of the last task
 * shown. A cursor is only a position, so a forged one reveals nothing: the query that reads it
 * is still scoped by tenant.
 */
function encodeCursor(number: number): string {
  return Buffer.from(`v1:${number}`).toString("base64url");
}

function decodeCursor(cursor: string): number {
  const match = /^v1:([1-9]\d{0,9})$/.exec(Buffer.from(cursor, "base64url").toString());
  const number = Number(match?.[1]);
  // Re-encoding must give the cursor back: base64url decoding skips stray characters.
  if (match === null || number > INT4_MAX || encodeCursor(number) !== cursor) {
    throw new ValidationError([
      { field: "cursor", message: "Not a cursor from a previous page of this listing." },
    ]);
  }
  return number;
}
