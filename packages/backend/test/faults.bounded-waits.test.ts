// Bounded waits on the redemption path: a coupon row held locked elsewhere
// makes a redemption answer 503 database_busy with Retry-After once lock_timeout or
// statement_timeout runs out, never a hang; the retry with the same key succeeds once the lock is
// gone. COMMIT itself never times out (src/db/driver.ts says why), and serialization failures and
// deadlocks are retried a bounded number of times by the transaction helper.
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DATABASE_SETTINGS, type DatabaseSettings } from '../src/config.ts';
import { createDatabase, type Database } from '../src/db/database.ts';
import { databaseFailure } from '../src/db/failures.ts';
import { transaction } from '../src/db/transaction.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { loggedIn, makeCoupon, makeUser, type ApiClient } from './helpers/factories.ts';

/** Generous: the answer must come, not come fast. */
const ANSWER_DEADLINE_MS = 20_000;

function settings(overrides: Partial<DatabaseSettings>): DatabaseSettings {
  return { ...DEFAULT_DATABASE_SETTINGS, ...overrides };
}

/** Another session holding the coupon's row lock, as a stuck transaction elsewhere would. */
async function lockCouponRow(url: string, couponId: string) {
  const holder = new pg.Client({ connectionString: url });
  await holder.connect();
  await holder.query('begin');
  await holder.query('select id from coupons where id = $1 for update', [couponId]);
  return {
    release: async () => {
      await holder.query('rollback');
      await holder.end();
    },
  };
}

describe.each([
  ['lock_timeout', settings({ lockTimeoutMs: 300 })],
  ['statement_timeout', settings({ lockTimeoutMs: 600_000, statementTimeoutMs: 300 })],
])('a redemption waiting for a locked coupon row, bounded by %s', (_bound, dbSettings) => {
  let database: TestDatabase;
  let t: TestApp;
  let staff: ApiClient;

  beforeAll(async () => {
    database = await createTestDatabase(5, dbSettings);
    t = await createTestApp({ database });
    staff = await loggedIn(t.app, (await makeUser(database.db, 'staff')).email);
  });
  afterAll(async () => {
    await t.close();
    await database.close();
  });

  it('answers 503 database_busy with Retry-After within the bound, writes nothing, and the retry with the same key succeeds once the lock is gone', async () => {
    const { coupon } = await makeCoupon(database.db);
    const lock = await lockCouponRow(database.url, coupon.id);
    const key = 'bounded-wait-0001';
    let busy;
    try {
      busy = await Promise.race([
        staff.redeem(coupon.code, key),
        new Promise<never>((_resolve, reject) =>
          setTimeout(() => {
            reject(new Error('the redemption hung behind the lock'));
          }, ANSWER_DEADLINE_MS),
        ),
      ]);
    } finally {
      await lock.release();
    }
    expect(busy.status).toBe(503);
    expect(busy.headers['retry-after']).toBe('1');
    expect(busy.body).toMatchObject({ code: 'database_busy', status: 503 });
    const written = await database.db
      .selectFrom('scans')
      .select('id')
      .where('coupon_id', '=', coupon.id)
      .execute();
    expect(written).toEqual([]);

    const retried = await staff.redeem(coupon.code, key);
    expect(retried.status).toBe(201);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    const ledger = await database.db
      .selectFrom('transactions')
      .select('id')
      .where('coupon_id', '=', coupon.id)
      .execute();
    expect(ledger).toHaveLength(1);
  });
});

describe('transactions', () => {
  let database: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    database = await createTestDatabase(4);
    db = createDatabase(database.url, 4, settings({ statementTimeoutMs: 200, lockTimeoutMs: 250 }));
    await sql`
      create table commit_probe (id int primary key);
      create function sleep_at_commit() returns trigger language plpgsql as $$
        begin perform pg_sleep(0.6); return null; end $$;
      create constraint trigger commit_probe_sleeps after insert on commit_probe
        deferrable initially deferred for each row execute function sleep_at_commit();
    `.execute(database.db);
  });
  afterAll(async () => {
    await db.destroy();
    await database.close();
  });

  it('statements inside a transaction run with SET LOCAL lock_timeout and statement_timeout', async () => {
    const shown = await transaction(db, async (trx) => ({
      lock: (await sql<{ lock_timeout: string }>`show lock_timeout`.execute(trx)).rows[0],
      statement: (await sql<{ statement_timeout: string }>`show statement_timeout`.execute(trx))
        .rows[0],
    }));
    expect(shown).toEqual({
      lock: { lock_timeout: '250ms' },
      statement: { statement_timeout: '200ms' },
    });
  });

  it('the statement timeout cuts a slow statement short but never the COMMIT, so it cannot end a wait for a synchronous standby', async () => {
    // the bound is live inside the transaction …
    const slow = await transaction(db, async (trx) => {
      await sql`select pg_sleep(0.6)`.execute(trx);
    }).catch((error: unknown) => error);
    expect(slow).toMatchObject({ code: '57014' });
    expect(databaseFailure(slow)).toBe('busy');
    // … and work done at COMMIT (a deferred trigger that sleeps longer than the bound) commits
    await transaction(db, async (trx) => {
      await sql`insert into commit_probe values (2)`.execute(trx);
    });
    const rows = await sql<{ id: number }>`select id from commit_probe`.execute(database.db);
    expect(rows.rows).toEqual([{ id: 2 }]);
  });

  it('a deadlock (40P01) between two transactions is retried, and both complete', async () => {
    await sql`create table deadlock_probe (id int primary key, n int not null default 0);
      insert into deadlock_probe (id) values (1), (2)`.execute(database.db);
    const patient = createDatabase(database.url, 4, settings({ lockTimeoutMs: 60_000 }));
    try {
      let firstHolds!: () => void;
      let secondHolds!: () => void;
      const firstLocked = new Promise<void>((resolve) => (firstHolds = resolve));
      const secondLocked = new Promise<void>((resolve) => (secondHolds = resolve));
      const retries: string[] = [];
      const crossing = (mine: number, theirs: number, hold: () => void, other: Promise<void>) =>
        transaction(
          patient,
          async (trx) => {
            await sql`update deadlock_probe set n = n + 1 where id = ${mine}`.execute(trx);
            hold();
            await other;
            await sql`update deadlock_probe set n = n + 1 where id = ${theirs}`.execute(trx);
          },
          { onRetry: (_attempt, error) => retries.push((error as { code: string }).code) },
        );
      await Promise.all([
        crossing(1, 2, firstHolds, secondLocked),
        crossing(2, 1, secondHolds, firstLocked),
      ]);
      // one of the two is chosen as the victim; on a slow machine both deadlock checks can run
      // before the first victim has let go, and both retry: what matters is that both complete
      expect(retries.length).toBeGreaterThanOrEqual(1);
      expect(new Set(retries)).toEqual(new Set(['40P01']));
      const rows = await sql<{ n: number }>`select n from deadlock_probe order by id`.execute(
        database.db,
      );
      expect(rows.rows).toEqual([{ n: 2 }, { n: 2 }]);
    } finally {
      await patient.destroy();
    }
  });

  it('a serialization failure is retried at most DATABASE_TRANSACTION_ATTEMPTS times in all, then surfaces', async () => {
    const limited = createDatabase(database.url, 1, settings({ transactionAttempts: 3 }));
    try {
      let runs = 0;
      const failure = await transaction(limited, () => {
        runs++;
        return Promise.reject(Object.assign(new Error('could not serialize'), { code: '40001' }));
      }).catch((error: unknown) => error);
      expect(runs).toBe(3);
      expect(failure).toMatchObject({ code: '40001' });
      expect(databaseFailure(failure)).toBe('busy');

      runs = 0;
      await transaction(limited, () => {
        runs++;
        return Promise.reject(Object.assign(new Error('duplicate'), { code: '23505' }));
      }).catch(() => undefined);
      expect(runs).toBe(1);
    } finally {
      await limited.destroy();
    }
  });
});

describe('which database errors are the database’s bad day', () => {
  it.each([
    ['ECONNREFUSED', 'unavailable'],
    ['57P01', 'unavailable'],
    ['57P02', 'unavailable'],
    ['57P03', 'unavailable'],
    ['08006', 'unavailable'],
    ['08P01', 'unavailable'],
    ['53300', 'unavailable'],
    ['25006', 'unavailable'],
    ['55P03', 'busy'],
    ['57014', 'busy'],
    ['40001', 'busy'],
    ['40P01', 'busy'],
    ['23505', null],
    ['22021', null],
  ])('code %s is %s', (code, failure) => {
    expect(databaseFailure(Object.assign(new Error('x'), { code }))).toBe(failure);
  });

  it('a lost connection reported only in words, or inside an AggregateError, is unavailable', () => {
    expect(databaseFailure(new Error('Connection terminated unexpectedly'))).toBe('unavailable');
    expect(
      databaseFailure(
        new AggregateError([Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })]),
      ),
    ).toBe('unavailable');
    expect(databaseFailure(new Error('some bug'))).toBeNull();
  });
});
