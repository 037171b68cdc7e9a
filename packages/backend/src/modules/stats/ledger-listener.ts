// One dedicated LISTEN connection per process for the live feed. Every instance announces the
// ledger rows it committed (ledger-announcer.ts); this fans each notification, from any instance,
// out to the open streams. A lost
// connection is reopened with backoff and never crashes the process; subscribers are then told to
// `resync`, since notifications sent while nobody listened are gone.
import type { LedgerEvent } from '@couponscan/shared/stats';
import type { FastifyBaseLogger } from 'fastify';
import pg from 'pg';

export const LEDGER_CHANNEL = 'couponscan_ledger';

export type FeedMessage = { type: 'ledger'; event: LedgerEvent } | { type: 'resync' };
export type FeedSubscriber = (message: FeedMessage) => void;

const MAX_BACKOFF_MS = 10_000;

export class LedgerListener {
  private client: pg.Client | null = null;
  private listening = false;
  private starting: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private closed = false;
  private readonly subscribers = new Set<FeedSubscriber>();
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly clientConfig: pg.ClientConfig,
    private readonly log: FastifyBaseLogger,
  ) {}

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Starts listening if need be; true once LISTEN is active, false after `timeoutMs`. */
  async whenListening(timeoutMs: number): Promise<boolean> {
    if (this.listening) return true;
    if (this.closed) return false;
    this.start();
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(onListening);
        resolve(ok);
      };
      const onListening = () => {
        done(true);
      };
      const timer = setTimeout(() => {
        done(false);
      }, timeoutMs);
      this.waiters.add(onListening);
    });
  }

  subscribe(subscriber: FeedSubscriber): () => void {
    this.subscribers.add(subscriber);
    this.start();
    return () => this.subscribers.delete(subscriber);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.subscribers.clear();
    const client = this.client;
    this.client = null;
    this.listening = false;
    await client?.end().catch(() => undefined);
  }

  private start(): void {
    if (this.closed || this.client !== null || this.starting !== null || this.retryTimer !== null)
      return;
    this.starting = this.connect().finally(() => {
      this.starting = null;
    });
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.clientConfig);
    this.client = client;
    // Every error path goes through lost(); an 'error' without a listener would crash the process.
    client.on('error', (error) => {
      this.lost(client, error);
    });
    client.on('end', () => {
      this.lost(client, new Error('connection ended'));
    });
    client.on('notification', (message) => {
      if (message.channel === LEDGER_CHANNEL) this.deliver(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${LEDGER_CHANNEL}`);
    } catch (error) {
      this.lost(client, error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (this.client !== client) return;
    const reconnected = this.failures > 0;
    this.failures = 0;
    this.listening = true;
    if (reconnected) this.log.info('live feed: listening again');
    for (const waiter of [...this.waiters]) waiter();
    // Whatever was committed while nobody listened was not announced.
    if (reconnected) this.broadcast({ type: 'resync' });
  }

  private lost(client: pg.Client, error: Error): void {
    if (this.client !== client) return;
    this.client = null;
    this.listening = false;
    client.removeAllListeners('notification');
    client.end().catch(() => undefined);
    if (this.closed) return;
    this.failures += 1;
    const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(this.failures, 6));
    this.log.warn({ err: error, retryInMs: delay }, 'live feed: database listener lost');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.start();
    }, delay);
    this.retryTimer.unref();
  }

  private deliver(payload: string | undefined): void {
    const event = parseLedgerNotification(payload);
    if (event === null) {
      this.log.warn({ payload }, 'live feed: ignored a malformed notification');
      return;
    }
    this.broadcast({ type: 'ledger', event });
  }

  private broadcast(message: FeedMessage): void {
    for (const subscriber of [...this.subscribers]) {
      try {
        subscriber(message);
      } catch (error) {
        this.log.warn({ err: error }, 'live feed: a subscriber failed');
      }
    }
  }
}

/** The announcement's JSON, with PostgreSQL's microsecond timestamp made an RFC 3339 one. */
export function parseLedgerNotification(payload: string | undefined): LedgerEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(payload ?? '');
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const text = (key: string) => (typeof v[key] === 'string' ? v[key] : null);
  const [id, kind, couponId, campaignId, storeId, userId, createdAt] = [
    'id',
    'kind',
    'couponId',
    'campaignId',
    'storeId',
    'userId',
    'createdAt',
  ].map(text);
  if (
    id == null ||
    couponId == null ||
    campaignId == null ||
    storeId == null ||
    userId == null ||
    createdAt == null ||
    (kind !== 'redemption' && kind !== 'reversal')
  ) {
    return null;
  }
  const at = new Date(createdAt);
  if (Number.isNaN(at.getTime())) return null;
  return { id, kind, couponId, campaignId, storeId, userId, createdAt: at.toISOString() };
}
