// The one way services open a transaction: Kysely's callback form, run again when PostgreSQL
// says the transaction may simply be retried (serialization failure 40001, deadlock 40P01), a
// bounded number of times with jittered backoff. Under SERIALIZABLE (DATABASE_ISOLATION) these
// are routine; under READ COMMITTED a deadlock is the only one. The callback must do nothing
// outside the database that it cannot do twice.
import type { Transaction } from 'kysely';
import { settingsOf, type Database, type DB } from './database.ts';
import { isRetryableTransactionError } from './failures.ts';

export interface TransactionOptions {
  /** Called before each retry, with the attempt about to start (2, 3, …). */
  onRetry?: (attempt: number, error: unknown) => void;
}

const BACKOFF_BASE_MS = 5;
const BACKOFF_CAP_MS = 250;

export function transaction<T>(
  db: Database,
  work: (trx: Transaction<DB>) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  return retryingConflicts(db, () => db.transaction().execute(work), options);
}

/**
 * Runs `attempt` again on 40001/40P01. For a single statement that is its own transaction (the
 * redemption's redeem_coupon()); anything larger goes through `transaction`.
 */
export async function retryingConflicts<T>(
  db: Database,
  attempt: () => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const attempts = settingsOf(db).transactionAttempts;
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (tries >= attempts || !isRetryableTransactionError(error)) throw error;
      options.onRetry?.(tries + 1, error);
      // full jitter: concurrent losers of the same conflict spread out instead of colliding again
      const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** tries);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
    }
  }
}
