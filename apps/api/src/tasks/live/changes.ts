/**
 * Task changes as the live feed carries them: numbered per tenant in the writing transaction,
 * kept in a bounded log (`task_changes`) that any instance replays from, and announced with
 * PostgreSQL `NOTIFY`, which the server delivers at commit, in commit order, and never for a
 * rolled-back transaction (PostgreSQL docs, "NOTIFY").
 */
import { createHash } from "node:crypto";
import { and, asc, eq, gt, lte, sql } from "drizzle-orm";
import { type Db, taskChanges, tenants } from "../../db/schema.js";
import { etagOf, type Task } from "../model.js";

/** What happened to a task. */
export type TaskChangeType = "created" | "updated" | "deleted";

/** One change, as the log keeps it and a notification carries it. */
export interface TaskChange {
  /** 1, 2, 3… per tenant, without holes: the event stream's `id`. */
  readonly seq: number;
  readonly type: TaskChangeType;
  /** The task's id. */
  readonly id: string;
  /** The task's ETag after the change (for `deleted`, the last one it had). */
  readonly etag: string;
}

/** The channel every instance listens on. */
export const CHANGES_CHANNEL = "taskflow_task_changes";

/** Changes kept per tenant: a client away for fewer changes than this resumes without a reload. */
export const CHANGE_LOG_SIZE = 1_000;

/** Pruning runs on every this-many-th change of a tenant, so a write seldom pays for it. */
const PRUNE_EVERY = 100;

/**
 * How a notification names the tenant: the id itself when short, its SHA-256 otherwise, since a
 * `NOTIFY` payload must stay under 8000 bytes and `tenant_id` is whatever the token says.
 */
export function tenantKey(tenantId: string): string {
  return tenantId.length <= 200
    ? `t:${tenantId}`
    : `h:${createHash("sha256").update(tenantId).digest("hex")}`;
}

/** The `NOTIFY` payload: small, and nothing of the task but its id and ETag. */
function encodeNotification(key: string, change: TaskChange): string {
  return JSON.stringify({ k: key, s: change.seq, t: change.type, i: change.id, e: change.etag });
}

/** A notification's tenant key and change, or `undefined` for a payload we did not write. */
export function decodeNotification(
  payload: string,
): { key: string; change: TaskChange } | undefined {
  try {
    const { k, s, t, i, e } = JSON.parse(payload) as Record<string, unknown>;
    if (typeof k !== "string" || !Number.isSafeInteger(s) || typeof i !== "string") return;
    if (typeof e !== "string" || (t !== "created" && t !== "updated" && t !== "deleted")) return;
    return { key: k, change: { seq: s as number, type: t, id: i, etag: e } };
  } catch {
    return undefined;
  }
}

/**
 * Records a change inside the transaction that makes it: takes the tenant's next sequence number
 * (the tenant row stays locked until commit, so numbers follow commit order), logs it, prunes
 * now and then, and queues the `NOTIFY` that PostgreSQL sends at commit.
 */
export async function recordChange(
  tx: Db,
  tenantId: string,
  type: TaskChangeType,
  task: Pick<Task, "id" | "version">,
  logSize: number,
): Promise<void> {
  const [tenant] = await tx
    .update(tenants)
    .set({ lastChange: sql`${tenants.lastChange} + 1` })
    .where(eq(tenants.id, tenantId))
    .returning({ seq: tenants.lastChange });
  const change: TaskChange = { seq: tenant!.seq, type, id: task.id, etag: etagOf(task) };
  await tx.insert(taskChanges).values({ tenantId, ...change, taskId: change.id });
  if (change.seq % PRUNE_EVERY === 0 || logSize < PRUNE_EVERY) {
    await tx
      .delete(taskChanges)
      .where(and(eq(taskChanges.tenantId, tenantId), lte(taskChanges.seq, change.seq - logSize)));
  }
  const payload = encodeNotification(tenantKey(tenantId), change);
  await tx.execute(sql`select pg_notify(${CHANGES_CHANNEL}, ${payload})`);
}

/** Reads the change log; what a stream catches up from. */
export interface TaskChangeLog {
  /** The tenant's latest sequence number; 0 before its first change. */
  latest(tenantId: string): Promise<number>;
  /**
   * The changes after `seq`, oldest first; `undefined` when the log cannot say: the changes
   * right after `seq` were pruned, or `seq` is beyond the latest (a cursor of another database).
   */
  since(tenantId: string, seq: number): Promise<readonly TaskChange[] | undefined>;
}

/**
 * The {@link TaskChangeLog} on a Drizzle database.
 *
 * @example
 * ```ts
 * const log = createTaskChangeLog(database.db);
 * const missed = await log.since("acme", 41); // undefined: reload the list
 * ```
 */
export function createTaskChangeLog(db: Db): TaskChangeLog {
  const latest = async (tenantId: string) => {
    const [row] = await db
      .select({ seq: tenants.lastChange })
      .from(tenants)
      .where(eq(tenants.id, tenantId));
    return row?.seq ?? 0;
  };
  return {
    latest,
    async since(tenantId, seq) {
      const rows = await db
        .select()
        .from(taskChanges)
        .where(and(eq(taskChanges.tenantId, tenantId), gt(taskChanges.seq, seq)))
        .orderBy(asc(taskChanges.seq));
      if (rows.length === 0) return seq <= (await latest(tenantId)) ? [] : undefined;
      if (rows[0]!.seq !== seq + 1) return undefined;
      return rows.map((row) => ({ seq: row.seq, type: row.type, id: row.taskId, etag: row.etag }));
    },
  };
}
