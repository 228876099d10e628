/**
 * Where an instance hears of task changes, whichever instance made them: a dedicated
 * `LISTEN` connection to PostgreSQL, or PGlite's own `listen` in a single process. Both see the
 * `NOTIFY` that `recordChange` queues, so there is one code path for both databases.
 */
import pg from "pg";
import type { Db } from "../../db/schema.js";
import { CHANGES_CHANNEL, decodeNotification, type TaskChange } from "./changes.js";

/** A change for the tenant with this key, or `gap`: notifications may have been missed. */
export type ChangeSignal =
  | { readonly kind: "change"; readonly key: string; readonly change: TaskChange }
  | { readonly kind: "gap" };

/** A running subscription to every tenant's changes. */
export interface ChangeSource {
  /** Starts listening; rejects when the first connection fails (a start-up error). */
  start(onSignal: (signal: ChangeSignal) => void): Promise<void>;
  /** Stops listening and closes the connection; calling it again is harmless. */
  close(): Promise<void>;
}

/** Where a lost connection is reported. */
interface ListenLogger {
  warn(fields: object, message: string): void;
}

/** Options of {@link listenPostgres}. */
export interface ListenPostgresOptions {
  logger?: ListenLogger | undefined;
  /** PostgreSQL's `application_name` of the listening connection. */
  applicationName?: string | undefined;
  /**
   * The first reconnection delay, doubled after every failure up to `maxDelayMs`.
   * @default 250
   */
  minDelayMs?: number;
  /** @default 30_000 */
  maxDelayMs?: number;
}

/**
 * Listens on a connection of its own, outside the pool: `LISTEN` belongs to a session, and a
 * pooled connection is handed to other queries. When the connection drops it reconnects with
 * exponential backoff and jitter, then reports a `gap`: whatever was committed meanwhile was
 * announced to nobody here.
 *
 * @example
 * ```ts
 * const source = listenPostgres(process.env.DATABASE_URL, { logger });
 * await source.start((signal) => console.log(signal));
 * ```
 */
export function listenPostgres(url: string, options: ListenPostgresOptions = {}): ChangeSource {
  const { logger, applicationName, minDelayMs = 250, maxDelayMs = 30_000 } = options;
  let client: pg.Client | undefined;
  let closed = false;
  let failures = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let emit: (signal: ChangeSignal) => void = () => {};

  const lost = (which: pg.Client, error?: Error) => {
    if (client !== which) return;
    client = undefined;
    which.end().catch(() => {});
    if (closed) return;
    // The error's name and code only: a driver's message can name the host.
    const cause = error as { name?: unknown; code?: unknown } | undefined;
    logger?.warn({ cause: { name: cause?.name, code: cause?.code } }, "task change listener lost");
    schedule();
  };
  const schedule = () => {
    const delay = Math.min(maxDelayMs, minDelayMs * 2 ** failures++);
    retry = setTimeout(() => void connect().catch(schedule), delay * (0.5 + Math.random() / 2));
  };
  const connect = async (first = false) => {
    const next = new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: 5_000,
      // A peer that vanished without a FIN is noticed, not waited on for hours.
      keepAlive: true,
      ...(applicationName === undefined ? {} : { application_name: applicationName }),
    });
    next.on("notification", ({ channel, payload }) => {
      const decoded =
        channel === CHANGES_CHANNEL && payload ? decodeNotification(payload) : undefined;
      if (decoded !== undefined) emit({ kind: "change", ...decoded });
    });
    next.on("error", (error) => lost(next, error));
    next.on("end", () => lost(next));
    try {
      await next.connect();
      await next.query(`LISTEN ${CHANGES_CHANNEL}`);
    } catch (error) {
      await next.end().catch(() => {});
      throw error;
    }
    if (closed) return void (await next.end());
    client = next;
    failures = 0;
    if (!first) emit({ kind: "gap" });
  };

  return {
    async start(onSignal) {
      emit = onSignal;
      await connect(true);
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      const open = client;
      client = undefined;
      await open?.end().catch(() => {});
    },
  };
}

/** What PGlite offers on the Drizzle handle (`db.$client`). */
interface PgliteClient {
  listen(channel: string, callback: (payload: string) => void): Promise<() => Promise<void>>;
}

/**
 * Listens with PGlite's own `LISTEN`: one process holds the database, so every change is made
 * and heard here, and there is no connection to lose.
 *
 * @example
 * ```ts
 * await listenPglite(database.db).start((signal) => console.log(signal));
 * ```
 */
export function listenPglite(db: Db): ChangeSource {
  const client = (db as unknown as { $client: PgliteClient }).$client;
  let unlisten: (() => Promise<void>) | undefined;
  return {
    async start(onSignal) {
      unlisten = await client.listen(CHANGES_CHANNEL, (payload) => {
        const decoded = decodeNotification(payload);
        if (decoded !== undefined) onSignal({ kind: "change", ...decoded });
      });
    },
    async close() {
      const stop = unlisten;
      unlisten = undefined;
      // Unlistening a closed PGlite fails; there is nothing left to stop then.
      await stop?.().catch(() => {});
    },
  };
}
