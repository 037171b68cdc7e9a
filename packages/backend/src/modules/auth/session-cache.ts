// Sessions cached in the process for a short, bounded time (SESSION_CACHE_SECONDS), so the hot path
// needs no round trip of its own to know who is asking. PostgreSQL announces every change to a
// session or a user on the channel `couponscan_auth` (triggers of migration 2026_11_29_0100); each
// instance LISTENs and drops what changed at once. Without a live LISTEN connection nothing is
// cached, since a missed notification could keep a revoked session. Only routes whose own
// statement checks the session again use the cache (the redemption: redeem_coupon()), so a
// notification still in flight can never let a revoked session redeem. API tokens' users are kept
// here too (under `api-token:<hash>`): revoking a token disables its user, announced as `user:<id>`.
import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { AuthUser } from './auth.service.ts';

export const AUTH_CHANNEL = 'couponscan_auth';

interface Entry {
  user: AuthUser;
  /** ms since the epoch: the earlier of the cache's bound and the session's own end */
  until: number;
}

export interface SessionCacheOptions {
  /** 0 turns the cache off. */
  ttlMs: number;
  maxEntries: number;
  /** The LISTEN connection's settings (the pool's). */
  connection: pg.ClientConfig;
  now?: () => number;
  log?: (message: string) => void;
  /** Wait before a lost LISTEN connection is opened again. */
  reconnectMs?: number;
}

export class SessionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  private listener: pg.Client | null = null;
  private listening = false;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  /** 'evicted' (sessionId) for every entry dropped by a change; 'listening' (boolean). */
  readonly events = new EventEmitter();

  constructor(private readonly options: SessionCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.options.ttlMs > 0;
  }

  /** Whether entries are kept: on, and a LISTEN connection is up. */
  get active(): boolean {
    return this.enabled && this.listening;
  }

  get size(): number {
    return this.entries.size;
  }

  get(sessionId: string): AuthUser | undefined {
    if (!this.active) return undefined;
    const entry = this.entries.get(sessionId);
    if (entry === undefined) return undefined;
    if (entry.until <= this.now()) {
      this.entries.delete(sessionId);
      return undefined;
    }
    return entry.user;
  }

  /** `key` defaults to the session's id; an API token's user is kept under a key of its own. */
  set(user: AuthUser, sessionExpiresAt: Date, key: string | null = user.sessionId): void {
    if (!this.active || key === null) return;
    if (this.entries.size >= this.options.maxEntries && !this.entries.has(key)) {
      // the oldest entry goes first (a Map iterates in insertion order)
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(key, {
      user,
      until: Math.min(this.now() + this.options.ttlMs, sessionExpiresAt.getTime()),
    });
  }

  evictSession(sessionId: string): void {
    if (this.entries.delete(sessionId)) this.events.emit('evicted', sessionId);
  }

  evictUser(userId: string): void {
    for (const [sessionId, entry] of this.entries) {
      if (entry.user.id === userId) this.evictSession(sessionId);
    }
  }

  clear(): void {
    for (const sessionId of [...this.entries.keys()]) this.evictSession(sessionId);
  }

  /** Opens the LISTEN connection; caching starts once it listens. Never throws. */
  async start(): Promise<void> {
    if (!this.enabled || this.closed) return;
    const client = new pg.Client(this.options.connection);
    this.listener = client;
    client.on('notification', (message) => {
      if (message.channel === AUTH_CHANNEL) this.apply(message.payload ?? '');
    });
    const lost = (error?: Error) => {
      if (this.listener !== client) return;
      this.listener = null;
      this.setListening(false);
      if (!this.closed) {
        this.options.log?.(
          `session cache: LISTEN connection lost${error === undefined ? '' : ` (${error.message})`}; not caching until it is back`,
        );
        this.scheduleReconnect();
      }
    };
    client.on('error', lost);
    client.on('end', () => {
      lost();
    });
    try {
      await client.connect();
      await client.query(`listen ${AUTH_CHANNEL}`);
      if (this.listener !== client) return;
      // whatever was cached before this connection listened may have missed a notification
      this.clear();
      this.setListening(true);
    } catch (error) {
      lost(error instanceof Error ? error : new Error(String(error)));
      await client.end().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    const client = this.listener;
    this.listener = null;
    this.setListening(false);
    await client?.end().catch(() => undefined);
  }

  /** The LISTEN connection's backend pid (tests end it to simulate a lost connection). */
  async listenerPid(): Promise<number | null> {
    const client = this.listener;
    if (client === null || !this.listening) return null;
    const result = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
    return result.rows[0]?.pid ?? null;
  }

  private apply(payload: string): void {
    const [kind, id] = payload.split(':', 2);
    if (id === undefined) return;
    if (kind === 'session') this.evictSession(id);
    else if (kind === 'user') this.evictUser(id);
  }

  private setListening(listening: boolean): void {
    if (!listening) this.clear();
    if (this.listening !== listening) {
      this.listening = listening;
      this.events.emit('listening', listening);
    }
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer !== null) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.start();
    }, this.options.reconnectMs ?? 1000);
    this.reconnectTimer.unref();
  }
}
