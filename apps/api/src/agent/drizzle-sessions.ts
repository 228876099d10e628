import { and, eq, gt, isNull, lte, or, type SQL, sql } from "drizzle-orm";
import { agentSessions, type Db } from "../db/schema.js";
import type { ChatMessage } from "./brain.js";
import {
  boundToolResult,
  DEFAULT_TOOL_RESULT_MAX_BYTES,
  historyBytes,
  trimHistory,
} from "./memory.js";
import {
  type AgentSession,
  type AgentSessionStore,
  DEFAULT_MEMORY_MAX_BYTES,
  DEFAULT_SESSION_MAX_BYTES,
  type SessionOwner,
  type SessionStoreOptions,
} from "./sessions.js";

/** Bounds of the database session store: the in-memory store's, and the busy lease. */
export interface DrizzleSessionStoreOptions extends SessionStoreOptions {
  /**
   * How long a chat's hold on its session lasts unless renewed; the holder renews it every
   * third of this while the chat runs. A process that dies mid-chat leaves a lease that lapses
   * after at most this long, so the session is not busy forever.
   * @default 30_000
   */
  leaseMs?: number;
}

/** Session ids as `create` makes them; anything else is unknown (and not an SQL error). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A session as this store hands it out: its history is replaced on `acquire` and `append`. */
interface StoredSession extends AgentSession {
  messages: readonly ChatMessage[];
}

/** A running chat's hold on a session. */
interface Lease {
  readonly id: string;
  readonly timer: ReturnType<typeof setInterval>;
}

const { id: idColumn, tenantId, userId, lastUsedAt, busyUntil, leaseId } = agentSessions;

/**
 * Agent conversations in the API's database (PGlite or PostgreSQL), so that the next message of
 * a conversation may land on any API instance. The same bounds as {@link SessionStore}, kept in
 * SQL: per session (messages, bytes, tool results cut) exactly; in all, the sum of `bytes` over
 * every row is held under `maxTotalBytes` by forgetting the least recently used idle sessions
 * after each turn (each instance checks after its own writes, so concurrent turns may overshoot
 * by a turn or evict one session more). "Busy" is a lease (`busy_until`, `lease_id`) renewed
 * while the chat runs, so one crashed instance cannot hold a session for longer than `leaseMs`.
 *
 * Times come from the database's clock (`now()`), the one clock every instance shares; `now`
 * (tests) replaces it.
 *
 * @example
 * ```ts
 * const sessions = new DrizzleSessionStore(database.db, agentConfig.memory);
 * const app = createApp({ ...options, agent: { sessions } });
 * ```
 */
export class DrizzleSessionStore implements AgentSessionStore {
  readonly #db: Db;
  readonly #ttl: SQL;
  readonly #ttlMs: number;
  readonly #leaseMs: number;
  readonly #maxPerUser: number;
  readonly #maxSessions: number;
  readonly #maxMessages: number;
  readonly #maxSessionBytes: number;
  readonly #maxTotalBytes: number;
  readonly #maxToolResultBytes: number;
  readonly #now: (() => number) | undefined;
  readonly #leases = new WeakMap<AgentSession, Lease>();

  constructor(db: Db, options: DrizzleSessionStoreOptions = {}) {
    this.#db = db;
    this.#ttlMs = options.ttlMs ?? 3_600_000;
    this.#ttl = milliseconds(this.#ttlMs);
    this.#leaseMs = options.leaseMs ?? 30_000;
    this.#maxPerUser = options.maxPerUser ?? 20;
    this.#maxSessions = options.maxSessions ?? 10_000;
    this.#maxMessages = options.maxMessages ?? 100;
    this.#maxSessionBytes = options.maxSessionBytes ?? DEFAULT_SESSION_MAX_BYTES;
    this.#maxTotalBytes = options.maxTotalBytes ?? DEFAULT_MEMORY_MAX_BYTES;
    this.#maxToolResultBytes = options.maxToolResultBytes ?? DEFAULT_TOOL_RESULT_MAX_BYTES;
    this.#now = options.now;
  }

  /** UTF-8 bytes of history held by all sessions, expired ones included until they are swept. */
  async totalBytes(): Promise<number> {
    const [row] = await this.#db
      .select({ bytes: sql<string>`coalesce(sum(${agentSessions.bytes}), 0)` })
      .from(agentSessions);
    return Number(row?.bytes ?? 0);
  }

  async create(owner: SessionOwner): Promise<{ id: string; expiresAt: Date }> {
    const now = this.#clock();
    await this.#db.delete(agentSessions).where(this.#expired(now));
    // The owner's least recently used sessions beyond maxPerUser - 1, then anyone's beyond
    // maxSessions - 1, make room for the new one.
    await this.#db.execute(sql`
      delete from ${agentSessions} where ${idColumn} in (
        select ${idColumn} from ${agentSessions}
        where ${tenantId} = ${owner.tenantId} and ${userId} = ${owner.userId}
        order by ${lastUsedAt} desc, ${idColumn} desc offset ${Math.max(0, this.#maxPerUser - 1)})`);
    await this.#db.execute(sql`
      delete from ${agentSessions} where ${idColumn} in (
        select ${idColumn} from ${agentSessions}
        order by ${lastUsedAt} desc, ${idColumn} desc offset ${Math.max(0, this.#maxSessions - 1)})`);
    // 122 random bits: unguessable, though a guess would not pass the owner check anyway.
    const id = crypto.randomUUID();
    const [row] = await this.#db
      .insert(agentSessions)
      .values({ id, tenantId: owner.tenantId, userId: owner.userId, lastUsedAt: now })
      .returning({ lastUsedAt });
    return { id, expiresAt: this.#expiry(row?.lastUsedAt) };
  }

  async get(owner: SessionOwner, id: string): Promise<AgentSession | undefined> {
    if (!UUID.test(id)) return undefined;
    const now = this.#clock();
    const [row] = await this.#db
      .update(agentSessions)
      .set({ lastUsedAt: now })
      .where(and(this.#owned(owner, id), this.#live(now)))
      .returning({ history: agentSessions.history });
    if (row === undefined) return undefined;
    const session: StoredSession = {
      id,
      owner: { tenantId: owner.tenantId, userId: owner.userId },
      messages: parse(row.history),
    };
    return session;
  }

  async acquire(session: AgentSession): Promise<boolean> {
    if (this.#leases.has(session)) return false;
    const now = this.#clock();
    const lease = crypto.randomUUID();
    const [row] = await this.#db
      .update(agentSessions)
      .set({
        busyUntil: sql`${now} + ${milliseconds(this.#leaseMs)}`,
        leaseId: lease,
        lastUsedAt: now,
      })
      .where(
        and(this.#owned(session.owner, session.id), or(isNull(busyUntil), lte(busyUntil, now))),
      )
      .returning({ history: agentSessions.history });
    if (row === undefined) return false;
    // Another instance may have added a turn since `get`: the chat starts from the latest.
    (session as StoredSession).messages = parse(row.history);
    const timer = setInterval(() => void this.#renew(session, lease), this.#leaseMs / 3);
    // A lease never keeps the process alive: if it exits, the lease lapses.
    timer.unref();
    this.#leases.set(session, { id: lease, timer });
    return true;
  }

  async release(session: AgentSession): Promise<void> {
    const lease = this.#leases.get(session);
    if (lease === undefined) return;
    this.#leases.delete(session);
    clearInterval(lease.timer);
    const now = this.#clock();
    await this.#db
      .update(agentSessions)
      .set({ busyUntil: null, leaseId: null, lastUsedAt: now })
      .where(and(eq(idColumn, session.id), eq(leaseId, lease.id)));
  }

  /**
   * Adds a finished turn (see {@link AgentSessionStore.append}) while the caller holds the
   * session; without a lease (tests), only while no chat holds it.
   */
  async append(session: AgentSession, messages: readonly ChatMessage[]): Promise<void> {
    const now = this.#clock();
    const lease = this.#leases.get(session);
    const turn = messages.map((message) => boundToolResult(message, this.#maxToolResultBytes));
    const kept = trimHistory([...session.messages, ...turn], session.messages.length, {
      maxMessages: this.#maxMessages,
      maxBytes: this.#maxSessionBytes,
    });
    const [row] = await this.#db
      .update(agentSessions)
      .set({ history: JSON.stringify(kept), bytes: historyBytes(kept), lastUsedAt: now })
      .where(
        and(
          this.#owned(session.owner, session.id),
          lease === undefined ? or(isNull(busyUntil), lte(busyUntil, now)) : eq(leaseId, lease.id),
        ),
      )
      .returning({ id: idColumn });
    if (row === undefined) return;
    (session as StoredSession).messages = kept;
    await this.#makeRoom(session.id, now);
  }

  /**
   * Forgets idle sessions, least recently used first, until all fit in `maxTotalBytes`: a row
   * goes when the bytes of the rows used before it are still short of the excess.
   */
  async #makeRoom(keep: string, now: SQL): Promise<void> {
    if ((await this.totalBytes()) <= this.#maxTotalBytes) return;
    await this.#db.execute(sql`
      with total as (select coalesce(sum(${agentSessions.bytes}), 0) as bytes from ${agentSessions}),
      idle as (
        select ${idColumn} as id, ${agentSessions.bytes} as bytes,
          sum(${agentSessions.bytes}) over (order by ${lastUsedAt}, ${idColumn}) as upto
        from ${agentSessions}
        where ${idColumn} <> ${keep} and (${busyUntil} is null or ${busyUntil} <= ${now}))
      delete from ${agentSessions} where ${idColumn} in (
        select idle.id from idle, total where idle.upto - idle.bytes < total.bytes - ${this.#maxTotalBytes})`);
  }

  /** Extends a running chat's lease; stops when the lease is gone (released or taken over). */
  async #renew(session: AgentSession, lease: string): Promise<void> {
    try {
      const now = this.#clock();
      const rows = await this.#db
        .update(agentSessions)
        .set({ busyUntil: sql`${now} + ${milliseconds(this.#leaseMs)}` })
        .where(and(eq(idColumn, session.id), eq(leaseId, lease)))
        .returning({ id: idColumn });
      if (rows.length === 0) clearInterval(this.#leases.get(session)?.timer);
    } catch {
      // The database did not answer: the next tick tries again, and the lease lapses meanwhile
      // only if the database stays away for a whole `leaseMs`.
    }
  }

  #owned(owner: SessionOwner, id: string): SQL | undefined {
    return and(eq(idColumn, id), eq(tenantId, owner.tenantId), eq(userId, owner.userId));
  }

  /** Used within the TTL, or held by a running chat. */
  #live(now: SQL): SQL | undefined {
    return or(gt(lastUsedAt, sql`${now} - ${this.#ttl}`), gt(busyUntil, now));
  }

  #expired(now: SQL): SQL | undefined {
    return and(
      lte(lastUsedAt, sql`${now} - ${this.#ttl}`),
      or(isNull(busyUntil), lte(busyUntil, now)),
    );
  }

  /** The database's clock, or the test's. */
  #clock(): SQL {
    return this.#now === undefined
      ? sql`now()`
      : sql`${new Date(this.#now()).toISOString()}::timestamptz`;
  }

  #expiry(used: Date | undefined): Date {
    return new Date((used?.getTime() ?? Date.now()) + this.#ttlMs);
  }
}

/** A PostgreSQL interval literal; `ms` comes from configuration, a whole number. */
function milliseconds(ms: number): SQL {
  return sql.raw(`interval '${Math.trunc(ms)} milliseconds'`);
}

/** A stored history; written by `append` alone, as `JSON.stringify` of the kept messages. */
function parse(history: string): ChatMessage[] {
  return JSON.parse(history) as ChatMessage[];
}
