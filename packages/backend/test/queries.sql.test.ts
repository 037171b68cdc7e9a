// The redemption path's queries, compiled, checked in as SQL (as Immich does): a change to a
// key query shows up as a SQL diff in review. Update with `vitest run -u` when the change is meant.
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
} from 'kysely';
import { describe, expect, it } from 'vitest';
import type { DB } from '../src/db/database.ts';
import { findCouponForRedemption } from '../src/modules/coupons/coupons.repository.ts';
import {
  redeemCouponQuery,
  selectLedger,
} from '../src/modules/redemptions/redemptions.repository.ts';

const db = new Kysely<DB>({
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
  it('redeems in one statement: one call of redeem_coupon() with every value bound', async () => {
    const query = redeemCouponQuery(db, {
      userId: UUID,
      sessionId: 'session',
      storeId: UUID,
      idempotencyKey: 'key',
      requestHash: 'hash',
      code: 'CODE',
      rawCode: 'code',
      displayCode: 'CODE',
      invalidDetail: null,
      ttlHours: 24,
      undoWindowMinutes: 10,
    });
    expect(query.parameters).toHaveLength(11);
    await expect(`${query.sql}\n`).toMatchFileSnapshot('sql/redeem-coupon.sql');
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
