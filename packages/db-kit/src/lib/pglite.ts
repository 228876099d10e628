import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import type { Connection, OpenOptions } from "../types.js";
import { lockDataDir } from "./lock.js";
import { migratorConfig } from "./migrator-config.js";
import { makePrivateDir, tightenTree } from "./private.js";

/**
 * Starts PGlite (in memory when `dataDir` is `null`) and applies the migrations. PGlite runs
 * one statement at a time and holds a lock for the whole of a transaction, so concurrent
 * requests never interleave inside one another's transactions; one process, so no advisory lock.
 *
 * The directory holds the app's data in the clear (tasks, users, password hashes, sessions), so
 * it is the owner's alone: created 0700 (or closed to others first thing when it exists), and
 * everything in it tightened to owner-only once PGlite has started, since its initdb writes files
 * 0666. Files PostgreSQL creates later follow the directory's mode (0600: its group-access rule).
 */
export async function openPglite(
  dataDir: string | null,
  options: Pick<OpenOptions, "migrations">,
): Promise<Connection> {
  let unlock = async () => {};
  if (dataDir !== null) {
    await makePrivateDir(dataDir);
    unlock = await lockDataDir(dataDir);
  }
  const client = new PGlite(dataDir ?? undefined);
  try {
    await client.waitReady;
    if (dataDir !== null) await tightenTree(dataDir);
    const db = drizzle(client);
    await migrate(db, migratorConfig(options.migrations));
    let closed: Promise<void> | undefined;
    return {
      db,
      async ping() {
        await db.execute(sql`select 1`);
      },
      close() {
        closed ??= client.close().finally(unlock);
        return closed;
      },
    };
  } catch (error) {
    if (!client.closed) await client.close().catch(() => {});
    await unlock();
    throw error;
  }
}
