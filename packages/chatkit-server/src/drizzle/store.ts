import { and, asc, desc, eq, gt, lt, or, type SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { NotFoundError } from "../errors.js";
import { toPage, unknownCursor } from "../lib/page.js";
import type { ChatKitOwner, ChatKitStore, PageOptions } from "../store.js";
import type { ThreadItem, ThreadMetadata } from "../types.js";
import { chatkitAttachments, chatkitItems, chatkitThreads } from "./schema.js";

/**
 * A Drizzle handle on PostgreSQL, whichever driver is behind it (node-postgres, postgres.js,
 * PGlite, Neon): the store uses the SQL-like API only.
 */
export type ChatKitDatabase = PgDatabase<PgQueryResultHKT, Record<string, unknown>>;

/**
 * Ids longer than this, or holding U+0000 (which PostgreSQL text cannot store), name nothing:
 * they are answered as not found instead of reaching SQL.
 */
const ID_MAX = 200;
const isId = (id: string) => id.length > 0 && id.length <= ID_MAX && !id.includes("\0");

/** PostgreSQL's `foreign_key_violation`: an item for a thread that is not there. */
const FOREIGN_KEY_VIOLATION = "23503";

/**
 * The {@link ChatKitStore} on PostgreSQL (or PGlite) through Drizzle, in the tables
 * `chatkit_threads`, `chatkit_items` and `chatkit_attachments` (create them with
 * `migrateChatKit(db)` or your own migrations). Every statement names the owner's tenant (`""`
 * when the context has none) and user; items and attachments are stored whole as JSON, and
 * deleting a thread deletes its items (a cascading foreign key).
 *
 * @example
 * ```ts
 * const store = drizzleStore(drizzle(pool));
 * await store.saveThread({ tenantId: "acme", userId: "u1" }, thread);
 * ```
 */
export function drizzleStore(db: ChatKitDatabase): ChatKitStore {
  const threadOf = (owner: ChatKitOwner, id: string) =>
    and(
      eq(chatkitThreads.tenantId, tenantOf(owner)),
      eq(chatkitThreads.userId, owner.userId),
      eq(chatkitThreads.id, id),
    );
  const itemsOf = (owner: ChatKitOwner, threadId: string) =>
    and(
      eq(chatkitItems.tenantId, tenantOf(owner)),
      eq(chatkitItems.userId, owner.userId),
      eq(chatkitItems.threadId, threadId),
    );
  const attachmentOf = (owner: ChatKitOwner, id: string) =>
    and(
      eq(chatkitAttachments.tenantId, tenantOf(owner)),
      eq(chatkitAttachments.userId, owner.userId),
      eq(chatkitAttachments.id, id),
    );
  const itemRow = (owner: ChatKitOwner, threadId: string, item: ThreadItem) => ({
    tenantId: tenantOf(owner),
    userId: owner.userId,
    threadId,
    id: item.id,
    type: item.type,
    createdAt: new Date(item.created_at),
    data: item,
  });

  return {
    async loadThread(owner, threadId) {
      const [row] = isId(threadId)
        ? await db.select().from(chatkitThreads).where(threadOf(owner, threadId))
        : [];
      if (row === undefined) throw threadNotFound();
      return toThreadMetadata(row);
    },

    async saveThread(owner, thread) {
      const fields = {
        title: thread.title ?? null,
        status: thread.status,
        metadata: thread.metadata,
      };
      await db
        .insert(chatkitThreads)
        .values({
          tenantId: tenantOf(owner),
          userId: owner.userId,
          id: thread.id,
          createdAt: new Date(thread.created_at),
          ...fields,
        })
        .onConflictDoUpdate({
          target: [chatkitThreads.tenantId, chatkitThreads.userId, chatkitThreads.id],
          set: fields,
        });
    },

    async loadThreads(owner, options) {
      const mine = and(
        eq(chatkitThreads.tenantId, tenantOf(owner)),
        eq(chatkitThreads.userId, owner.userId),
      );
      let from: SQL | undefined;
      if (options.after != null) {
        const [anchor] = isId(options.after)
          ? await db
              .select({ createdAt: chatkitThreads.createdAt, seq: chatkitThreads.seq })
              .from(chatkitThreads)
              .where(threadOf(owner, options.after))
          : [];
        if (anchor === undefined) throw unknownCursor();
        from = beyond(chatkitThreads, anchor, options.order);
      }
      const direction = options.order === "asc" ? asc : desc;
      const rows = await db
        .select()
        .from(chatkitThreads)
        .where(and(mine, from))
        .orderBy(direction(chatkitThreads.createdAt), direction(chatkitThreads.seq))
        // One more than asked tells whether another page follows, without a count.
        .limit(options.limit + 1);
      return toPage(rows.map(toThreadMetadata), options);
    },

    async deleteThread(owner, threadId) {
      if (isId(threadId)) await db.delete(chatkitThreads).where(threadOf(owner, threadId));
    },

    async loadThreadItems(owner, threadId, options) {
      if (!isId(threadId)) return { data: [], has_more: false };
      let from: SQL | undefined;
      if (options.after != null) {
        const [anchor] = isId(options.after)
          ? await db
              .select({ createdAt: chatkitItems.createdAt, seq: chatkitItems.seq })
              .from(chatkitItems)
              .where(and(itemsOf(owner, threadId), eq(chatkitItems.id, options.after)))
          : [];
        if (anchor === undefined) throw unknownCursor();
        from = beyond(chatkitItems, anchor, options.order);
      }
      const direction = options.order === "asc" ? asc : desc;
      const rows = await db
        .select({ data: chatkitItems.data })
        .from(chatkitItems)
        .where(and(itemsOf(owner, threadId), from))
        .orderBy(direction(chatkitItems.createdAt), direction(chatkitItems.seq))
        .limit(options.limit + 1);
      return toPage(
        rows.map((row) => row.data),
        options,
      );
    },

    async addThreadItem(owner, threadId, item) {
      if (!isId(threadId)) throw threadNotFound();
      try {
        await db.insert(chatkitItems).values(itemRow(owner, threadId, item));
      } catch (error) {
        if (sqlState(error) === FOREIGN_KEY_VIOLATION) throw threadNotFound();
        throw error;
      }
    },

    async saveItem(owner, threadId, item) {
      const [row] = isId(threadId)
        ? await db
            .update(chatkitItems)
            .set({ type: item.type, data: item })
            .where(and(itemsOf(owner, threadId), eq(chatkitItems.id, item.id)))
            .returning({ id: chatkitItems.id })
        : [];
      if (row === undefined) throw itemNotFound();
    },

    async loadItem(owner, threadId, itemId) {
      const [row] =
        isId(threadId) && isId(itemId)
          ? await db
              .select({ data: chatkitItems.data })
              .from(chatkitItems)
              .where(and(itemsOf(owner, threadId), eq(chatkitItems.id, itemId)))
          : [];
      if (row === undefined) throw itemNotFound();
      return row.data;
    },

    async deleteThreadItem(owner, threadId, itemId) {
      if (!isId(threadId) || !isId(itemId)) return;
      await db
        .delete(chatkitItems)
        .where(and(itemsOf(owner, threadId), eq(chatkitItems.id, itemId)));
    },

    async saveAttachment(owner, attachment) {
      await db
        .insert(chatkitAttachments)
        .values({
          tenantId: tenantOf(owner),
          userId: owner.userId,
          id: attachment.id,
          data: attachment,
        })
        .onConflictDoUpdate({
          target: [chatkitAttachments.tenantId, chatkitAttachments.userId, chatkitAttachments.id],
          set: { data: attachment },
        });
    },

    async loadAttachment(owner, attachmentId) {
      const [row] = isId(attachmentId)
        ? await db
            .select({ data: chatkitAttachments.data })
            .from(chatkitAttachments)
            .where(attachmentOf(owner, attachmentId))
        : [];
      if (row === undefined) throw new NotFoundError("No attachment with this id.");
      return row.data;
    },

    async deleteAttachment(owner, attachmentId) {
      if (!isId(attachmentId)) return;
      await db.delete(chatkitAttachments).where(attachmentOf(owner, attachmentId));
    },
  };
}

function threadNotFound(): NotFoundError {
  return new NotFoundError("No thread with this id.");
}

function itemNotFound(): NotFoundError {
  return new NotFoundError("No item with this id in the thread.");
}

/** The tenant column of an owner: `""` for an app without tenants. */
function tenantOf(owner: ChatKitOwner): string {
  return owner.tenantId ?? "";
}

/** The SQLSTATE of a driver error, wherever the driver put it. */
function sqlState(error: unknown): unknown {
  const { code, cause } = (error ?? {}) as { code?: unknown; cause?: { code?: unknown } };
  return cause?.code ?? code;
}

/** Rows strictly after the anchor in the listing's order: by `created_at`, then insertion. */
function beyond(
  table: typeof chatkitThreads | typeof chatkitItems,
  anchor: { createdAt: Date; seq: number },
  order: PageOptions["order"],
): SQL | undefined {
  const past = order === "asc" ? gt : lt;
  return or(
    past(table.createdAt, anchor.createdAt),
    and(eq(table.createdAt, anchor.createdAt), past(table.seq, anchor.seq)),
  );
}

function toThreadMetadata(row: typeof chatkitThreads.$inferSelect): ThreadMetadata {
  return {
    id: row.id,
    ...(row.title === null ? {} : { title: row.title }),
    created_at: row.createdAt.toISOString(),
    status: row.status,
    metadata: row.metadata,
  };
}
