import { readFileSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeChatKitStoreContract } from "../testing/index.js";
import { CHATKIT_MIGRATION_SQL, migrateChatKit } from "./migration.js";
import { drizzleStore } from "./store.js";

let client: PGlite;
let db: ReturnType<typeof drizzle>;
beforeAll(async () => {
  client = new PGlite();
  db = drizzle(client);
  await migrateChatKit(db);
});
afterAll(() => client?.close());

describeChatKitStoreContract("drizzleStore on PGlite", () => drizzleStore(db));

describe("the ChatKit migration", () => {
  it("is the SQL file the package ships", () => {
    const file = readFileSync(new URL("../../drizzle/0001_chatkit.sql", import.meta.url), "utf8");
    expect(CHATKIT_MIGRATION_SQL).toBe(file);
  });

  it("can run again: every statement is skipped when its object exists", async () => {
    await migrateChatKit(db);
    const { rows } = await client.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_name like 'chatkit_%' order by 1",
    );
    expect(rows.map((row) => row.table_name)).toEqual([
      "chatkit_attachments",
      "chatkit_items",
      "chatkit_threads",
    ]);
  });
});
