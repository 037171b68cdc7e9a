// The dashboard's rollup: adds ledger rows and refused scans older than a safe lag to the buckets
// the statistics read (stats.repository.ts), step by step under one state row's lock.
import type { Database } from '../../db/database.ts';
import { retryingConflicts } from '../../db/transaction.ts';
import {
  allowLongRollupStep,
  foldCouponCountChanges,
  lockRollupState,
  nextRollupStep,
  resetRollup,
  rollUpRange,
} from './stats-rollup.repository.ts';

/**
 * How far behind now the rollup stops. A ledger row or refused scan gets its created_at from
 * clock_timestamp() inside the statement or transaction that inserts it, and becomes visible only
 * when that transaction commits; a row rolled up too early would be missed for good (the live
 * tail starts at the watermark). What bounds the gap between created_at and commit:
 * - a redemption is one statement (redeem_coupon()), so under statement_timeout (15 s by default);
 * - a reversal inserts its row last and commits right after;
 * - neither bounds COMMIT itself (with synchronous replication it waits for a standby, and the
 *   row stays invisible meanwhile), nor a statement_timeout set above the lag: so the step never
 *   passes the start of the oldest other transaction that is writing (nextRollupStep), whose rows
 *   can only carry a created_at after its start.
 * 60 s is four times the default statement_timeout, and covers the clock being stepped back a
 * little; the tail the dashboard reads live is this lag plus the time between two runs.
 */
export const ROLLUP_LAG_SECONDS = 60;

export interface RollupOptions {
  lagSeconds?: number;
  /** Roll up no further than this instant (tests place the watermark with it). */
  until?: Date;
}

/**
 * Adds every ledger row and refused scan older than the lag to the rollup, one step (at most a day
 * of rows) per transaction. Safe with several instances at once: each step locks the state row and
 * reads the watermark under that lock, so a range is never added twice; an instance that finds the
 * row locked leaves the work to the one holding it. Returns how many steps this call made, and
 * whether it stopped because another instance holds the lock.
 */
export async function rollUpStatistics(
  db: Database,
  options: RollupOptions = {},
): Promise<{ steps: number; busy: boolean }> {
  const lag = options.lagSeconds ?? ROLLUP_LAG_SECONDS;
  await retryingConflicts(db, () => db.transaction().execute(foldCouponCountChanges));
  for (let steps = 0; ; steps++) {
    // READ COMMITTED whatever DATABASE_ISOLATION says: the aggregating statements must take their
    // snapshot after nextRollupStep has chosen the range, not at the transaction's first statement.
    const outcome = await retryingConflicts(db, () =>
      db
        .transaction()
        .setIsolationLevel('read committed')
        .execute(async (trx) => {
          if (!(await lockRollupState(trx, 'skip'))) return 'busy';
          await allowLongRollupStep(trx);
          const step = await nextRollupStep(trx, lag, options.until ?? null);
          if (step === undefined) return 'done';
          await rollUpRange(trx, step.lo, step.hi);
          return step.final ? 'last' : 'more';
        }),
    );
    if (outcome === 'busy') return { steps, busy: true };
    if (outcome === 'done') return { steps, busy: false };
    if (outcome === 'last') return { steps: steps + 1, busy: false };
  }
}

/**
 * Rebuilds the rollup from the whole ledger: for rows written with a created_at already behind
 * the watermark (a bulk load of history, a restore), which the periodic job never goes back for.
 * Returns once this call or another instance has rolled everything up to the lag.
 */
export async function rebuildStatisticsRollup(
  db: Database,
  options: RollupOptions = {},
): Promise<{ steps: number }> {
  await db.transaction().setIsolationLevel('read committed').execute(resetRollup);
  let steps = 0;
  for (;;) {
    const run = await rollUpStatistics(db, options);
    steps += run.steps;
    if (!run.busy) return { steps };
    // another instance holds the state row for a step: go on once it lets go
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
