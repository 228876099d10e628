/**
 * The tables, as Drizzle pg-core definitions. `drizzle-kit generate` (`npm run db:generate`)
 * turns changes here into SQL under `apps/api/drizzle/`; `migrations.test.ts` fails when the
 * two disagree.
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  index,
  integer,
  type PgDatabase,
  type PgQueryResultHKT,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";
import { TITLE_MAX } from "../tasks/model.js";

/** Millisecond precision: what a JavaScript `Date` holds, so a value reads back unchanged. */
const moment = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/**
 * One row per tenant that ever created a task: the counter its task numbers come from. Kept
 * apart from `tasks` so that numbers are never reused, even after the newest task is deleted.
 */
export const tenants = pgTable("tenants", {
  id: text("id").primaryKey(),
  /** The number the tenant's next task gets. */
  nextTaskNumber: integer("next_task_number").notNull(),
  /** The sequence number of the tenant's latest task change (0 before the first). */
  lastChange: bigint("last_change", { mode: "number" }).notNull().default(0),
  createdAt: moment("created_at").notNull().defaultNow(),
});

/**
 * The recent task changes of every tenant, numbered by `tenants.last_change` in the writing
 * transaction: the buffer any instance replays a reconnecting event stream from
 * (`Last-Event-ID`). Bounded per tenant; older rows are pruned by the writes themselves.
 */
export const taskChanges = pgTable(
  "task_changes",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    seq: bigint("seq", { mode: "number" }).notNull(),
    type: text("type", { enum: ["created", "updated", "deleted"] }).notNull(),
    /** Not a foreign key: a deleted task's change outlives it. */
    taskId: uuid("task_id").notNull(),
    etag: text("etag").notNull(),
    createdAt: moment("created_at").notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.tenantId, table.seq] })],
);

/** The tasks of every tenant; every statement on it names `tenant_id`. */
export const tasks = pgTable(
  "tasks",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    number: integer("number").notNull(),
    title: varchar("title", { length: TITLE_MAX }).notNull(),
    /**
     * The title as `findByTitle` compares it (trimmed, normalised, case-folded), computed in
     * JavaScript: SQL `lower()` depends on the database's locale (ASCII-only under `C`), and
     * PGlite and a PostgreSQL server must answer alike.
     */
    titleKey: text("title_key").notNull(),
    notes: text("notes").notNull().default(""),
    status: text("status", { enum: ["open", "done"] }).notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: moment("created_at").notNull().defaultNow(),
    updatedAt: moment("updated_at").notNull().defaultNow(),
    version: integer("version").notNull().default(1),
  },
  (table) => [
    // Also serves the listing, newest first: (tenant_id, number DESC) is a backward scan.
    uniqueIndex("tasks_tenant_number_key").on(table.tenantId, table.number),
    index("tasks_tenant_status_number_idx").on(table.tenantId, table.status, table.number),
    index("tasks_tenant_title_key_idx").on(table.tenantId, table.titleKey),
    check("tasks_status_check", sql`${table.status} in ('open', 'done')`),
  ],
);

/** A row of `tasks` as selected. */
export type TaskRow = typeof tasks.$inferSelect;

/**
 * Agent conversations (`createDrizzleSessionStore`), one row each, so that any API instance can
 * continue any of them. Rows are per user: every statement names `tenant_id` and `user_id`.
 */
export const agentSessions = pgTable(
  "agent_sessions",
  {
    id: uuid("id").primaryKey(),
    tenantId: text("tenant_id").notNull(),
    userId: text("user_id").notNull(),
    /**
     * The history as JSON text, not `jsonb`: `jsonb` refuses `\u0000` in strings, and a message
     * may hold one; `JSON.stringify` escapes it (and lone surrogates) into plain ASCII.
     */
    history: text("history").notNull().default("[]"),
    /** UTF-8 bytes of the history as `messageBytes` counts them, summed for the total budget. */
    bytes: integer("bytes").notNull().default(0),
    createdAt: moment("created_at").notNull().defaultNow(),
    /** Restarted by every use; the idle TTL counts from here. */
    lastUsedAt: moment("last_used_at").notNull(),
    /** While a chat runs: when its lease ends unless renewed (a crashed instance's lapses). */
    busyUntil: moment("busy_until"),
    /** Which chat holds the lease, so only it renews, appends and releases. */
    leaseId: uuid("lease_id"),
  },
  (table) => [
    index("agent_sessions_owner_used_idx").on(table.tenantId, table.userId, table.lastUsedAt),
    // Expiry sweeps and least-recently-used eviction walk this.
    index("agent_sessions_used_idx").on(table.lastUsedAt),
    check("agent_sessions_bytes_check", sql`${table.bytes} >= 0`),
  ],
);

/**
 * ChatKit's tables come from the package that owns them (handoff-chatkit's Drizzle store),
 * re-exported so drizzle-kit sees them beside ours and the app's migrations keep creating them.
 */
export { chatkitAttachments, chatkitItems, chatkitThreads } from "handoff-chatkit/drizzle";

/**
 * A Drizzle handle on these tables, whichever driver (PGlite or node-postgres) is behind it.
 * Typed without a relational schema: the store uses the SQL-like API only.
 */
export type Db = PgDatabase<PgQueryResultHKT>;
