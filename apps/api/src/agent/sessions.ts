import type { ChatMessage } from "./brain.js";
import {
  boundToolResult,
  DEFAULT_TOOL_RESULT_MAX_BYTES,
  historyBytes,
  trimHistory,
} from "./memory.js";

/** Bytes of history one session keeps (`AGENT_SESSION_MAX_BYTES`). */
export const DEFAULT_SESSION_MAX_BYTES = 64 * 1024;
/** Bytes of history all sessions keep together (`AGENT_MEMORY_MAX_BYTES`). */
export const DEFAULT_MEMORY_MAX_BYTES = 64 * 1024 * 1024;

/** Who a session belongs to. */
export interface SessionOwner {
  readonly tenantId: string;
  readonly userId: string;
}

/** One conversation. */
export interface AgentSession {
  readonly id: string;
  readonly owner: SessionOwner;
  /** The history a brain is given, oldest first. */
  readonly messages: readonly ChatMessage[];
}

/**
 * Where agent conversations live: in this process ({@link SessionStore}) or in the database
 * (`createDrizzleSessionStore`), which any API instance can continue. Every method is scoped by
 * owner or by a session `get` returned, so another user's session is never reached.
 *
 * @example
 * ```ts
 * const session = await sessions.get(owner, sessionId); // undefined: 404
 * if (!(await sessions.acquire(session))) throw new SessionBusyError(); // 409
 * try { await sessions.append(session, turn); } finally { await sessions.release(session); }
 * ```
 */
export interface AgentSessionStore {
  /** Starts an empty session for `owner`, making room first (expired, over-count sessions go). */
  create(owner: SessionOwner): Promise<{ id: string; expiresAt: Date }>;
  /** The owner's live session with this id, marked as used; `undefined` otherwise. */
  get(owner: SessionOwner, id: string): Promise<AgentSession | undefined>;
  /**
   * Marks the session busy and refreshes `session.messages`; `false` when a chat is already
   * running on it (in any process sharing the store).
   */
  acquire(session: AgentSession): Promise<boolean>;
  /** Ends the chat `acquire` started; harmless when called twice. */
  release(session: AgentSession): Promise<void>;
  /**
   * Adds a finished turn, its tool results cut; beyond the per-session bounds the oldest turns
   * go, whole; beyond the total budget the least recently used idle sessions are forgotten.
   */
  append(session: AgentSession, messages: readonly ChatMessage[]): Promise<void>;
}

/** Bounds of a session store. */
export interface SessionStoreOptions {
  /**
   * Idle time after which a session is forgotten; each use starts it again.
   * @default 3_600_000 (1 hour)
   */
  ttlMs?: number;
  /**
   * Sessions one user may hold; creating another forgets their least recently used one.
   * @default 20
   */
  maxPerUser?: number;
  /**
   * Messages kept per session (user, assistant and tool messages); older turns are dropped.
   * @default 100
   */
  maxMessages?: number;
  /**
   * Sessions held in all; beyond it the least recently used one is forgotten.
   * @default 10_000
   */
  maxSessions?: number;
  /**
   * UTF-8 bytes of history one session keeps; beyond it its oldest turns are dropped, whole. The
   * count limits alone would let 100 messages of listings hold megabytes (CWE-770).
   * @default 65_536 (64 KiB)
   */
  maxSessionBytes?: number;
  /**
   * UTF-8 bytes of history all sessions keep together; beyond it the least recently used
   * sessions are forgotten.
   * @default 67_108_864 (64 MiB)
   */
  maxTotalBytes?: number;
  /**
   * UTF-8 bytes of one tool result kept in a history; a longer one is cut and marked as such.
   * The turn that called the tool saw it whole.
   * @default 4_096 (4 KiB)
   */
  maxToolResultBytes?: number;
  /** The clock, in milliseconds; tests pass a fake one. @default Date.now */
  now?: () => number;
}

interface Entry {
  id: string;
  owner: SessionOwner;
  messages: ChatMessage[];
  /** UTF-8 bytes of `messages`, as counted by `messageBytes`. */
  bytes: number;
  lastUsed: number;
  busy: boolean;
}

/**
 * Agent conversations in this process's memory (one process, and tests; a cluster keeps them
 * in the database), bounded in time, count and size so no caller can grow it
 * without limit. A session is visible only to the user who created it: another user's id is
 * answered exactly like an unknown one.
 *
 * @example
 * ```ts
 * const sessions = new SessionStore();
 * const { id } = await sessions.create({ tenantId, userId });
 * const session = await sessions.get({ tenantId, userId }, id); // undefined for anyone else
 * ```
 */
export class SessionStore implements AgentSessionStore {
  readonly #ttlMs: number;
  readonly #maxPerUser: number;
  readonly #maxMessages: number;
  readonly #maxSessions: number;
  readonly #maxSessionBytes: number;
  readonly #maxTotalBytes: number;
  readonly #maxToolResultBytes: number;
  readonly #now: () => number;
  /** The sum of every entry's `bytes`. */
  #bytes = 0;
  /** By id, least recently used first: a Map keeps insertion order, and each use re-inserts. */
  readonly #entries = new Map<string, Entry>();

  constructor(options: SessionStoreOptions = {}) {
    this.#ttlMs = options.ttlMs ?? 3_600_000;
    this.#maxPerUser = options.maxPerUser ?? 20;
    this.#maxMessages = options.maxMessages ?? 100;
    this.#maxSessions = options.maxSessions ?? 10_000;
    this.#maxSessionBytes = options.maxSessionBytes ?? DEFAULT_SESSION_MAX_BYTES;
    this.#maxTotalBytes = options.maxTotalBytes ?? DEFAULT_MEMORY_MAX_BYTES;
    this.#maxToolResultBytes = options.maxToolResultBytes ?? DEFAULT_TOOL_RESULT_MAX_BYTES;
    this.#now = options.now ?? Date.now;
  }

  /** Sessions held, expired ones included until they are swept. */
  get size(): number {
    return this.#entries.size;
  }

  /** UTF-8 bytes of history held by all sessions, expired ones included until they are swept. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Starts an empty session for `owner`, making room first. */
  async create(owner: SessionOwner): Promise<{ id: string; expiresAt: Date }> {
    this.#sweep();
    const mine = [...this.#entries.values()].filter((entry) => sameOwner(entry.owner, owner));
    for (const entry of mine.slice(0, Math.max(0, mine.length - this.#maxPerUser + 1))) {
      this.#forget(entry);
    }
    while (this.#entries.size >= this.#maxSessions) {
      const oldest = this.#entries.values().next();
      if (oldest.done === true) break;
      this.#forget(oldest.value);
    }
    // 122 random bits: unguessable, though a guess would not pass the owner check anyway.
    const id = crypto.randomUUID();
    const entry: Entry = {
      id,
      owner: { ...owner },
      messages: [],
      bytes: 0,
      lastUsed: this.#now(),
      busy: false,
    };
    this.#entries.set(id, entry);
    return { id, expiresAt: this.#expiry(entry) };
  }

  /** The owner's live session with this id, marked as used; `undefined` otherwise. */
  async get(owner: SessionOwner, id: string): Promise<AgentSession | undefined> {
    const entry = this.#entries.get(id);
    if (entry === undefined || !sameOwner(entry.owner, owner)) return undefined;
    if (this.#expired(entry)) {
      this.#forget(entry);
      return undefined;
    }
    this.#touch(entry);
    return entry;
  }

  /** When the session will be forgotten if unused. */
  expiresAt(session: AgentSession): Date {
    const entry = this.#entries.get(session.id);
    return entry === undefined ? new Date(this.#now()) : this.#expiry(entry);
  }

  /** Marks the session busy; `false` when a chat is already running on it. */
  async acquire(session: AgentSession): Promise<boolean> {
    const entry = this.#entries.get(session.id);
    if (entry === undefined || entry.busy) return false;
    entry.busy = true;
    return true;
  }

  async release(session: AgentSession): Promise<void> {
    const entry = this.#entries.get(session.id);
    if (entry !== undefined) {
      entry.busy = false;
      this.#touch(entry);
    }
  }

  /**
   * Adds a finished turn, its tool results cut to `maxToolResultBytes`. Beyond `maxMessages` or
   * `maxSessionBytes`, the oldest turns go, whole (a tool result without the call that asked
   * for it is refused by chat models); the turn just added always stays. Beyond
   * `maxTotalBytes`, the least recently used idle sessions are forgotten.
   */
  async append(session: AgentSession, messages: readonly ChatMessage[]): Promise<void> {
    const entry = this.#entries.get(session.id);
    if (entry === undefined) return;
    const turn = messages.map((message) => boundToolResult(message, this.#maxToolResultBytes));
    const history = [...entry.messages, ...turn];
    entry.messages = trimHistory(history, entry.messages.length, {
      maxMessages: this.#maxMessages,
      maxBytes: this.#maxSessionBytes,
    });
    const bytes = historyBytes(entry.messages);
    this.#bytes += bytes - entry.bytes;
    entry.bytes = bytes;
    this.#makeRoom(entry);
  }

  /** Forgets idle sessions, least recently used first, until all fit in `maxTotalBytes`. */
  #makeRoom(keep: Entry): void {
    for (const entry of this.#entries.values()) {
      if (this.#bytes <= this.#maxTotalBytes) return;
      // A session in use is not pulled from under its chat; it is forgotten once idle.
      if (entry !== keep && !entry.busy) this.#forget(entry);
    }
  }

  #forget(entry: Entry): void {
    if (this.#entries.delete(entry.id)) this.#bytes -= entry.bytes;
  }

  #touch(entry: Entry): void {
    entry.lastUsed = this.#now();
    this.#entries.delete(entry.id);
    this.#entries.set(entry.id, entry);
  }

  #expired(entry: Entry): boolean {
    return !entry.busy && this.#now() - entry.lastUsed >= this.#ttlMs;
  }

  #expiry(entry: Entry): Date {
    return new Date(entry.lastUsed + this.#ttlMs);
  }

  /** Forgets expired sessions; they sit at the front, least recently used first. */
  #sweep(): void {
    for (const entry of this.#entries.values()) {
      if (!this.#expired(entry)) {
        if (!entry.busy) return;
        continue;
      }
      this.#forget(entry);
    }
  }
}

function sameOwner(a: SessionOwner, b: SessionOwner): boolean {
  return a.tenantId === b.tenantId && a.userId === b.userId;
}
