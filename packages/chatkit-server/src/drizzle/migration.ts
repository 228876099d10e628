import { sql } from "drizzle-orm";
import type { ChatKitDatabase } from "./store.js";

/**
 * The SQL that creates the tables of `drizzleStore`, as shipped in
 * `handoff-chatkit/drizzle/0001_chatkit.sql` (a test keeps the two equal). Idempotent, and the
 * same schema as TaskFlow's migration `0001_chatkit`, so existing databases keep working.
 */
export const CHATKIT_MIGRATION_SQL = `-- handoff-chatkit: the tables of drizzleStore (PostgreSQL 14+, PGlite). Idempotent: every
-- statement is skipped when its object exists, so it can run on every start, and it is a no-op
-- on a database that already has these tables (TaskFlow's migration 0001_chatkit).
CREATE TABLE IF NOT EXISTS "chatkit_threads" (
	"tenant_id" text NOT NULL,
	"user_id" text NOT NULL,
	"id" text NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "chatkit_threads_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"title" text,
	"status" jsonb NOT NULL,
	"metadata" jsonb NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "chatkit_threads_tenant_id_user_id_id_pk" PRIMARY KEY("tenant_id","user_id","id")
);
CREATE TABLE IF NOT EXISTS "chatkit_items" (
	"tenant_id" text NOT NULL,
	"user_id" text NOT NULL,
	"thread_id" text NOT NULL,
	"id" text NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "chatkit_items_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"type" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"data" jsonb NOT NULL,
	CONSTRAINT "chatkit_items_tenant_id_user_id_thread_id_id_pk" PRIMARY KEY("tenant_id","user_id","thread_id","id"),
	CONSTRAINT "chatkit_items_thread_fk" FOREIGN KEY ("tenant_id","user_id","thread_id") REFERENCES "chatkit_threads"("tenant_id","user_id","id") ON DELETE cascade ON UPDATE no action
);
CREATE TABLE IF NOT EXISTS "chatkit_attachments" (
	"tenant_id" text NOT NULL,
	"user_id" text NOT NULL,
	"id" text NOT NULL,
	"data" jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "chatkit_attachments_tenant_id_user_id_id_pk" PRIMARY KEY("tenant_id","user_id","id")
);
CREATE INDEX IF NOT EXISTS "chatkit_threads_owner_created_idx" ON "chatkit_threads" USING btree ("tenant_id","user_id","created_at","seq");
CREATE INDEX IF NOT EXISTS "chatkit_items_thread_created_idx" ON "chatkit_items" USING btree ("tenant_id","user_id","thread_id","created_at","seq");
`;

/** Any fixed number: the advisory lock that lets one instance at a time create the tables. */
const MIGRATION_LOCK = 0x63686b74;

/**
 * Creates the tables of `drizzleStore` when they are missing, in one transaction and under an
 * advisory lock, so instances starting together do not race. Use it when your app has no
 * migrations of its own; otherwise add the tables (`chatkitThreads`, …) to your drizzle-kit
 * schema or apply `CHATKIT_MIGRATION_SQL` with your migrations.
 *
 * @example
 * ```ts
 * await migrateChatKit(db);
 * const store = drizzleStore(db);
 * ```
 */
export async function migrateChatKit(db: ChatKitDatabase): Promise<void> {
  const statements = CHATKIT_MIGRATION_SQL.split(/;\n/)
    .map((statement) => statement.replace(/^--.*$/gm, "").trim())
    .filter((statement) => statement !== "");
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    for (const statement of statements) await tx.execute(sql.raw(statement));
  });
}
