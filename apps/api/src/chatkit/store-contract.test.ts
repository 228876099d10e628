import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/pglite";
import { drizzleStore, migrateChatKit } from "handoff-chatkit/drizzle";
import { describeChatKitStoreContract } from "handoff-chatkit/testing";
import { describe, expect, it } from "vitest";
import { DATABASE_KINDS, useTestDatabase } from "../testing/db.js";

// The package's store contract on the API's own databases (migrated by the API's migrations),
// PGlite and a real PostgreSQL.
describe.each(DATABASE_KINDS)("the Drizzle ChatKit store (%s)", (kind) => {
  const database = useTestDatabase(kind);
  describeChatKitStoreContract(`drizzleStore on ${kind}`, () => drizzleStore(database().db));
});

/** Columns, constraints and indexes of the ChatKit tables, as PostgreSQL describes them. */
const DESCRIBE = `
  select 'column' as kind, table_name || '.' || column_name || ' ' || data_type || ' ' ||
    coalesce(datetime_precision::text, '') || ' ' || is_nullable || ' ' ||
    coalesce(column_default, '') || ' ' || is_identity || ' ' || coalesce(identity_generation, '') as what
  from information_schema.columns where table_name like 'chatkit_%'
  union all
  select 'constraint', conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
  from pg_constraint where conrelid::regclass::text like 'chatkit_%'
  union all
  select 'index', indexdef from pg_indexes where tablename like 'chatkit_%'
  order by 1, 2`;

describe("the package's ChatKit migration", () => {
  const database = useTestDatabase("pglite");

  it("makes the same tables as the API's migration 0001_chatkit, so existing data keeps working", async () => {
    const fresh = new PGlite();
    try {
      await migrateChatKit(drizzle(fresh));
      const describe = async () =>
        ((await database().db.execute(sql.raw(DESCRIBE))) as unknown as { rows: unknown[] }).rows;
      const ours = await describe();
      const theirs = (await fresh.query(DESCRIBE)).rows;
      expect(theirs).toEqual(ours);
      expect(ours.length).toBeGreaterThan(20);
      // And on the API's database, where the tables exist, it changes nothing.
      await migrateChatKit(database().db);
      expect(await describe()).toEqual(ours);
    } finally {
      await fresh.close();
    }
  });
});
