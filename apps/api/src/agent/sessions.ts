import type { ChatMessage } from "./brain.js";

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

/** Bounds of the in-memory session store. */
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
  /** The clock, in milliseconds; tests pass a fake one. @default Date.now */
  now?: () => number;
}

interface Entry {
  id: string;
  owner: SessionOwner;
  messages: ChatMessage[];
  lastUsed: number;
  busy: boolean;
}

/**
 * Agent conversations, in memory, bounded in time, count and size so no caller can grow it
 * without limit. A session is visible only to the user who created it: another user's id is
 * answered exactly like an unknown one.
 *
 * @example
 * ```ts
 * const sessions = new SessionStore();
 * const { id } = sessions.create({ tenantId, userId });
 * const session = sessions.get({ tenantId, userId }, id); // undefined for anyone else
 * ```
 */
export class SessionStore {
  readonly #ttlMs: number;
  readonly #maxPerUser: number;
  readonly #maxMessages: number;
  readonly #maxSessions: number;
  readonly #now: () => number;
  /** By id, least recently used first: a Map keeps insertion order, and each use re-inserts. */
  readonly #entries = new Map<string, Entry>();

  constructor(options: SessionStoreOptions = {}) {
    this.#ttlMs = options.ttlMs ?? 3_600_000;
    this.#maxPerUser = options.maxPerUser ?? 20;
    this.#maxMessages = options.maxMessages ?? 100;
    this.#maxSessions = options.maxSessions ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** Sessions held, expired ones included until they are swept. */
  get size(): number {
    return this.#entries.size;
  }

  /** Starts an empty session for `owner`, making room first. */
  create(owner: SessionOwner): { id: string; expiresAt: Date } {
    this.#sweep();
    const mine = [...this.#entries.values()].filter((entry) => sameOwner(entry.owner, owner));
    for (const entry of mine.slice(0, Math.max(0, mine.length - this.#maxPerUser + 1))) {
      this.#entries.delete(entry.id);
    }
    while (this.#entries.size >= this.#maxSessions) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
    // 122 random bits: unguessable, though a guess would not pass the owner check anyway.
    const id = crypto.randomUUID();
    const entry: Entry = {
      id,
      owner: { ...owner },
      messages: [],
      lastUsed: this.#now(),
      busy: false,
    };
    this.#entries.set(id, entry);
    return { id, expiresAt: this.#expiry(entry) };
  }

  /** The owner's live session with this id, marked as used; `undefined` otherwise. */
  get(owner: SessionOwner, id: string): AgentSession | undefined {
    const entry = this.#entries.get(id);
    if (entry === undefined || !sameOwner(entry.owner, owner)) return undefined;
    if (this.#expired(entry)) {
      this.#entries.delete(id);
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
  acquire(session: AgentSession): boolean {
    const entry = this.#entries.get(session.id);
    if (entry === undefined || entry.busy) return false;
    entry.busy = true;
    return true;
  }

  release(session: AgentSession): void {
    const entry = this.#entries.get(session.id);
    if (entry !== undefined) {
      entry.busy = false;
      this.#touch(entry);
    }
  }

  /**
   * Adds a finished turn. Beyond `maxMessages`, the oldest messages go, and then any that would
   * start the history mid-turn (a tool result without the call that asked for it is refused by
   * chat models).
   */
  append(session: AgentSession, messages: readonly ChatMessage[]): void {
    const entry = this.#entries.get(session.id);
    if (entry === undefined) return;
    entry.messages.push(...messages);
    if (entry.messages.length > this.#maxMessages) {
      entry.messages.splice(0, entry.messages.length - this.#maxMessages);
      const start = entry.messages.findIndex((message) => message.role === "user");
      entry.messages.splice(0, start === -1 ? entry.messages.length : start);
    }
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
      this.#entries.delete(entry.id);
    }
  }
}

function sameOwner(a: SessionOwner, b: SessionOwner): boolean {
  return a.tenantId === b.tenantId && a.userId === b.userId;
}
