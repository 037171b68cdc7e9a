// Announces committed ledger rows to the live feed (LISTEN couponscan_ledger, ledger-listener.ts).
//
// Why not a trigger: PostgreSQL takes one database-wide lock when a transaction that has notified
// commits, and holds it through the commit's WAL flush, so a NOTIFY inside each redemption made
// all redemptions commit one at a time. Here the NOTIFY is its own short statement, sent after the
// ledger row's transaction has committed, and it reads the rows back from the table: an id whose
// transaction rolled back matches no row and is never announced.
//
// Coalesced: at most one statement in flight per process, and while redemptions keep coming at most
// one every GATHER_MS; ids that arrive meanwhile go out together in the next one (one notification
// per row, in ledger order). Each statement is a transaction that commits a NOTIFY (under that
// database-wide lock), so under load this turns a hundred small ones a second into four. A lone
// redemption is announced at once. An announcement is best effort:
// if the database is unreachable it is dropped with a warning, and the console's periodic refetch
// and its polling fallback bring the figures up to date.
import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'kysely';
import type { Database } from '../../db/database.ts';
import { LEDGER_CHANNEL } from './ledger-listener.ts';

/** The most rows one statement announces; PostgreSQL queues each payload (< 300 bytes) apart. */
const MAX_ROWS_PER_STATEMENT = 500;
/** After a statement, ids gather this long before the next one is sent. */
export const GATHER_MS = 250;

export class LedgerAnnouncer {
  private pending: string[] = [];
  private flushing: Promise<void> | null = null;
  /** Ends the current gathering pause early (drain() wants everything sent now). */
  private hurry: (() => void) | null = null;
  /** drain() calls in progress: while any waits, nothing gathers. */
  private draining = 0;

  constructor(
    private readonly db: Database,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** Queues a committed ledger row's id for the live feed. Never throws, never waits. */
  announce(ledgerId: string): void {
    this.pending.push(ledgerId);
    this.flushing ??= this.flush();
  }

  /** Resolves once everything queued so far has been sent (or dropped), without gathering. */
  async drain(): Promise<void> {
    this.draining += 1;
    this.hurry?.();
    try {
      await this.flushing;
    } finally {
      this.draining -= 1;
    }
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const ids = this.pending.splice(0, MAX_ROWS_PER_STATEMENT);
      const sent = Date.now();
      try {
        await sql`
          select pg_notify(${LEDGER_CHANNEL}, json_build_object(
                   'id', id,
                   'kind', kind,
                   'couponId', coupon_id,
                   'campaignId', campaign_id,
                   'storeId', store_id,
                   'userId', user_id,
                   'createdAt', created_at)::text)
            from (select * from transactions where id = any(${ids}::uuid[])
                   order by created_at, id) as committed`.execute(this.db);
      } catch (error) {
        this.log.warn(
          { err: error, rows: ids.length },
          'live feed: could not announce ledger rows',
        );
      }
      const wait = GATHER_MS - (Date.now() - sent);
      if (wait > 0 && this.draining === 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          this.hurry = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.hurry = null;
      }
    }
    this.flushing = null;
  }
}
