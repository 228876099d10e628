/**
 * The tables, as Drizzle pg-core definitions. `drizzle-kit generate` (`npm run db:generate`)
 * turns changes here into SQL under `apps/api/drizzle/`; `migrations.test.ts` fails when the
 * two disagree.
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
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
import type { Attachment, JsonObject, ThreadItem, ThreadStatus } from "../chatkit/types.js";
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
  createdAt: moment("created_at").notNull().defaultNow(),
});

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

/** Insertion order, the tie-break when two rows share a `created_at`. */
const insertion = () => bigint("seq", { mode: "number" }).generatedAlwaysAsIdentity().notNull();

/**
 * ChatKit threads (`src/chatkit/`). The key starts with the owner, so every statement names
 * the tenant and the user, and one user's thread id means nothing to anyone else.
 */
export const chatkitThreads = pgTable(
  "chatkit_threads",
  {
    tenantId: text("tenant_id").notNull(),
    userId: text("user_id").notNull(),
    id: text("id").notNull(),
    seq: insertion(),
    title: text("title"),
    status: jsonb("status").$type<ThreadStatus>().notNull(),
    metadata: jsonb("metadata").$type<JsonObject>().notNull(),
    createdAt: moment("created_at").notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.tenantId, table.userId, table.id] }),
    // The listing, newest first: a backward scan.
    index("chatkit_threads_owner_created_idx").on(
      table.tenantId,
      table.userId,
      table.createdAt,
      table.seq,
    ),
  ],
);

/** The items of every ChatKit thread, each stored whole as JSON; deleted with their thread. */
export const chatkitItems = pgTable(
  "chatkit_items",
  {
    tenantId: text("tenant_id").notNull(),
    userId: text("user_id").notNull(),
    threadId: text("thread_id").notNull(),
    id: text("id").notNull(),
    seq: insertion(),
    type: text("type").notNull(),
    createdAt: moment("created_at").notNull(),
    data: jsonb("data").$type<ThreadItem>().notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.tenantId, table.userId, table.threadId, table.id] }),
    foreignKey({
      name: "chatkit_items_thread_fk",
      columns: [table.tenantId, table.userId, table.threadId],
      foreignColumns: [chatkitThreads.tenantId, chatkitThreads.userId, chatkitThreads.id],
    }).onDelete("cascade"),
    index("chatkit_items_thread_created_idx").on(
      table.tenantId,
      table.userId,
      table.threadId,
      table.createdAt,
      table.seq,
    ),
  ],
);

/** ChatKit attachments, stored whole as JSON (the server accepts no uploads yet). */
export const chatkitAttachments = pgTable(
  "chatkit_attachments",
  {
    tenantId: text("tenant_id").notNull(),
    userId: text("user_id").notNull(),
    id: text("id").notNull(),
    data: jsonb("data").$type<Attachment>().notNull(),
    createdAt: moment("created_at").notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.tenantId, table.userId, table.id] })],
);

/**
 * A Drizzle handle on these tables, whichever driver (PGlite or node-postgres) is behind it.
 * Typed without a relational schema: the store uses the SQL-like API only.
 */
export type Db = PgDatabase<PgQueryResultHKT>;
