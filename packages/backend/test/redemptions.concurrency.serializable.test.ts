// The race suite (test/helpers/race-suite.ts) with every transaction at SERIALIZABLE
// (DATABASE_ISOLATION=serializable): PostgreSQL then refuses conflicting transactions with 40001
// instead of making them wait, and the transaction helper's bounded retries (src/db/transaction.ts)
// must turn those into the same answers as under READ COMMITTED.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { DatabaseSettings } from '../src/config.ts';
import { createDatabase } from '../src/db/database.ts';
import { transaction } from '../src/db/transaction.ts';
import { createTestApp, listen } from './helpers/app.ts';
import { createTestDatabase } from './helpers/database.ts';
import { raceSettings, raceSuite } from './helpers/race-suite.ts';

const serializable: DatabaseSettings = raceSettings({ isolation: 'serializable' });

raceSuite('with SERIALIZABLE transactions', async () => {
  const database = await createTestDatabase(40, serializable);
  const first = await createTestApp({ database });
  const secondDb = createDatabase(database.url, 40, serializable);
  const second = await createTestApp({
    database: { ...database, db: secondDb, close: () => Promise.resolve() },
  });
  return {
    db: database.db,
    urls: [await listen(first.app), await listen(second.app)],
    close: async () => {
      await first.close();
      await second.close();
      await secondDb.destroy();
      await database.close();
    },
  };
});

describe('DATABASE_ISOLATION=serializable', () => {
  it('runs single statements (the redemption) and transactions at SERIALIZABLE', async () => {
    const database = await createTestDatabase(1, serializable);
    try {
      const single = await sql<{
        level: string;
      }>`select current_setting('transaction_isolation') as level`.execute(database.db);
      const inTransaction = await transaction(database.db, (trx) =>
        sql<{ level: string }>`select current_setting('transaction_isolation') as level`.execute(
          trx,
        ),
      );
      expect([single.rows, inTransaction.rows]).toEqual([
        [{ level: 'serializable' }],
        [{ level: 'serializable' }],
      ]);
    } finally {
      await database.close();
    }
  });
});
