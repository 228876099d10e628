CREATE TABLE "agent_sessions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"user_id" text NOT NULL,
	"history" text DEFAULT '[]' NOT NULL,
	"bytes" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp (3) with time zone NOT NULL,
	"busy_until" timestamp (3) with time zone,
	"lease_id" uuid,
	CONSTRAINT "agent_sessions_bytes_check" CHECK ("agent_sessions"."bytes" >= 0)
);
--> statement-breakpoint
CREATE INDEX "agent_sessions_owner_used_idx" ON "agent_sessions" USING btree ("tenant_id","user_id","last_used_at");--> statement-breakpoint
CREATE INDEX "agent_sessions_used_idx" ON "agent_sessions" USING btree ("last_used_at");