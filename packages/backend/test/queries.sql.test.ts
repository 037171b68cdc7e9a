// The redemption path's queries and every query that locks rows, compiled, checked in as SQL (as
// Immich does): a change to a key query shows up as a SQL diff in review. Update with `vitest run -u` when the change is meant.
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
} from 'kysely';
import { describe, expect, it } from 'vitest';
import type { DB } from '../src/db/database.ts';
import { revokeApiTokenRow } from '../src/modules/api-tokens/api-tokens.repository.ts';
import { lockCampaign, shareLockCampaign } from '../src/modules/campaigns/campaigns.repository.ts';
import {
  findCouponForRedemption,
  lockCouponById,
  voidCouponRow,
} from '../src/modules/coupons/coupons.repository.ts';
import {
  redeemCouponQuery,
  selectLedger,
  type RedeemCall,
} from '../src/modules/redemptions/redemptions.repository.ts';
import { lockRollupState } from '../src/modules/stats/stats-rollup.repository.ts';
import { lockOtherActiveAdmins, lockUser } from '../src/modules/users/users.repository.ts';
import { dispatchEvents } from '../src/modules/webhooks/webhooks.repository.ts';

/** The SQL of every query run on `db` (the dummy driver answers no rows). */
const ran: string[] = [];

const db = new Kysely<DB>({
  log: (event) => {
    if (event.level === 'query') ran.push(event.query.sql);
  },
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new PostgresIntrospector(k),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

const UUID = '00000000-0000-0000-0000-000000000000';

function sqlOf(query: { compile(): { sql: string } }): string {
  return `${query.compile().sql}\n`;
}

describe('compiled SQL of the redemption path', () => {
  const call: RedeemCall = {
    userId: UUID,
    sessionId: null,
    storeId: UUID,
    idempotencyKey: 'key',
    requestHash: 'hash',
    code: 'CODE',
    rawCode: 'code',
    displayCode: 'CODE',
    invalidDetail: null,
    ttlHours: 24,
    undoWindowMinutes: 10,
  };

  it('redeems in one statement: one call of redeem_coupon() with every value bound', async () => {
    const query = redeemCouponQuery(db, { ...call, sessionId: 'session' });
    expect(query.parameters).toHaveLength(11);
    await expect(`${query.sql}\n`).toMatchFileSnapshot('sql/redeem-coupon.sql');
  });

  it('compiles the redemption once: a later call binds its own values to the same text', () => {
    const first = redeemCouponQuery(db, call);
    const second = redeemCouponQuery(db, {
      ...call,
      sessionId: 'session',
      code: null,
      rawCode: 'x',
      displayCode: null,
      invalidDetail: 'too short',
      ttlHours: 1,
    });
    expect(second.sql).toBe(first.sql);
    expect(first.parameters).toEqual([
      UUID,
      null,
      UUID,
      'key',
      'hash',
      'CODE',
      'code',
      'CODE',
      null,
      24,
      10,
    ]);
    expect(second.parameters).toEqual([
      UUID,
      'session',
      UUID,
      'key',
      'hash',
      null,
      'x',
      null,
      'too short',
      1,
      10,
    ]);
  });

  it('judges a coupon for a preview by the same rule function as the redemption', async () => {
    const query = findCouponForRedemption(db, 'CODE', UUID);
    expect(sqlOf(query)).toContain('redemption_refusal(');
    await expect(sqlOf(query)).toMatchFileSnapshot('sql/coupon-with-refusal.sql');
  });

  it('reads the ledger with store, staff and reversal in one query', async () => {
    await expect(sqlOf(selectLedger(db).where('t.id', '=', UUID))).toMatchFileSnapshot(
      'sql/ledger-entry.sql',
    );
  });
});

/** The one statement `run` sends, compiled. */
async function sqlRunBy(run: () => Promise<unknown>): Promise<string> {
  ran.length = 0;
  await run();
  expect(ran).toHaveLength(1);
  return `${ran[0] ?? ''}\n`;
}

// Each lock here has a race test that fails without it (test/locks.race.test.ts: users,
// campaigns, coupons, API tokens, the webhook outbox; test/batches.test.ts: the batch job's share
// lock on its campaign, which is share-lock-campaign; test/stats-rollup.test.ts: the statistics
// rollup's state row). A void takes no lock of its own: its UPDATE locks the row and judges
// `voided_at is null`. The redemption's own lock is in redeem_coupon(), snapshotted by
// redeem-coupon.sql.test.ts.
describe('compiled SQL of every query that locks rows', () => {
  it.each([
    ['lock-user', () => lockUser(db, UUID), 'for update'],
    ['lock-other-active-admins', () => lockOtherActiveAdmins(db, UUID), 'for update'],
    ['lock-campaign', () => lockCampaign(db, UUID), 'for update'],
    ['share-lock-campaign', () => shareLockCampaign(db, UUID), 'for share of "campaigns"'],
    ['lock-coupon', () => lockCouponById(db, UUID), 'for update'],
    ['void-coupon', () => voidCouponRow(db, UUID, 'reason', UUID), '"voided_at" is null'],
    ['lock-api-token', () => revokeApiTokenRow(db, UUID), 'for update'],
    [
      'dispatch-webhook-events',
      () => db.transaction().execute((trx) => dispatchEvents(trx, 200)),
      'for update skip locked',
    ],
    ['lock-rollup-state', () => lockRollupState(db, 'skip'), 'for update skip locked'],
    ['lock-rollup-state-waiting', () => lockRollupState(db, 'wait'), 'for update'],
  ])('%s', async (name, run, lock) => {
    const query = await sqlRunBy(run);
    expect(query).toContain(lock);
    await expect(query).toMatchFileSnapshot(`sql/${name}.sql`);
  });
});
