/**
 * The tables of `drizzleStore`, as Drizzle pg-core definitions: the same names, columns, keys
 * and indexes as `drizzle/0001_chatkit.sql` (which `migrateChatKit` applies). Add them to your
 * drizzle-kit `schema` to have its migrations create them, or apply the SQL yourself.
 */
import {
  bigint,
  foreignKey,
  index,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from "drizzle-orm/pg-core";
import type { Attachment, JsonObject, ThreadItem, ThreadStatus } from "../types.js";

/** Millisecond precision: what a JavaScript `Date` holds, so a value reads back unchanged. */
const moment = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/** Insertion order, the tie-break when two rows share a `created_at`. */
const insertion = () => bigint("seq", { mode: "number" }).generatedAlwaysAsIdentity().notNull();

/**
 * ChatKit threads. The key starts with the owner, so every statement names the tenant and the
 * user, and one user's thread id means nothing to anyone else. An app without tenants stores
 * `""` as the tenant.
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

/** ChatKit attachments, stored whole as JSON. */
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
