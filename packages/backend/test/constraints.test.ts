// The database's own guarantees, tried with plain SQL that bypasses the application: a bug in the
// app must fail loudly here instead of giving money away.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/database.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { makeCampaign, makeCoupon, makeStore, makeUser } from './helpers/factories.ts';

let database: TestDatabase;
let db: Database;
let store: Awaited<ReturnType<typeof makeStore>>;
let staff: Awaited<ReturnType<typeof makeUser>>;

beforeAll(async () => {
  database = await createTestDatabase(4);
  db = database.db;
  store = await makeStore(db);
  staff = await makeUser(db, 'staff', { storeId: store.id });
});
afterAll(() => database.close());

async function redeemDirectly(couponId: string) {
  const scan = await db
    .insertInto('scans')
    .values({
      coupon_id: couponId,
      code: 'X',
      outcome: 'redeemed',
      store_id: store.id,
      user_id: staff.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return db
    .insertInto('transactions')
    .values({
      kind: 'redemption',
      coupon_id: couponId,
      store_id: store.id,
      user_id: staff.id,
      scan_id: scan.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

function reverseDirectly(couponId: string, reversesId: string) {
  return db
    .insertInto('transactions')
    .values({
      kind: 'reversal',
      coupon_id: couponId,
      store_id: store.id,
      user_id: staff.id,
      reverses_id: reversesId,
      reverses_kind: 'redemption',
      reason: 'test',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

const pgCode = (error: unknown) => (error as { code?: string }).code;

describe('database constraints', () => {
  it('a direct SQL attempt to redeem a single-use coupon twice fails with a check violation', async () => {
    const { coupon } = await makeCoupon(db);
    await redeemDirectly(coupon.id);
    const error = await redeemDirectly(coupon.id).catch((e: unknown) => e);
    expect(pgCode(error)).toBe('23514');
    expect(String(error)).toContain('coupons_redemption_limit');
    const ledger = await db
      .selectFrom('transactions')
      .select('id')
      .where('coupon_id', '=', coupon.id)
      .execute();
    expect(ledger).toHaveLength(1);
  });

  it('the ledger trigger keeps the redemption count equal to redemptions minus reversals', async () => {
    const { coupon } = await makeCoupon(db, { maxRedemptionsPerCoupon: 3 });
    const a = await redeemDirectly(coupon.id);
    await redeemDirectly(coupon.id);
    await reverseDirectly(coupon.id, a.id);
    const row = await db
      .selectFrom('coupons')
      .select('redemption_count')
      .where('id', '=', coupon.id)
      .executeTakeFirstOrThrow();
    expect(row.redemption_count).toBe(1);
  });

  it('the redemption count cannot be written directly, only through the ledger', async () => {
    const { coupon } = await makeCoupon(db, { maxRedemptionsPerCoupon: 5 });
    const error = await sql`update coupons set redemption_count = 0 - 0 + 1 where id = ${coupon.id}`
      .execute(db)
      .catch((e: unknown) => e);
    expect(String(error)).toContain('follows the ledger');
  });

  it('the ledger is append-only: update and delete are refused', async () => {
    const { coupon } = await makeCoupon(db);
    const entry = await redeemDirectly(coupon.id);
    const update = await db
      .updateTable('transactions')
      .set({ reason: 'edited' })
      .where('id', '=', entry.id)
      .execute()
      .catch((e: unknown) => e);
    expect(String(update)).toContain('append-only');
    const remove = await db
      .deleteFrom('transactions')
      .where('id', '=', entry.id)
      .execute()
      .catch((e: unknown) => e);
    expect(String(remove)).toContain('append-only');
  });

  it('a redemption is reversed at most once (unique)', async () => {
    const { coupon } = await makeCoupon(db);
    const entry = await redeemDirectly(coupon.id);
    await reverseDirectly(coupon.id, entry.id);
    const error = await reverseDirectly(coupon.id, entry.id).catch((e: unknown) => e);
    expect(pgCode(error)).toBe('23505');
  });

  it('a reversal cannot reverse a reversal, nor a redemption of another coupon (foreign key)', async () => {
    const { coupon } = await makeCoupon(db);
    const entry = await redeemDirectly(coupon.id);
    const reversal = await reverseDirectly(coupon.id, entry.id);
    expect(pgCode(await reverseDirectly(coupon.id, reversal.id).catch((e: unknown) => e))).toBe(
      '23503',
    );

    const { coupon: other } = await makeCoupon(db);
    const otherEntry = await redeemDirectly(other.id);
    expect(pgCode(await reverseDirectly(coupon.id, otherEntry.id).catch((e: unknown) => e))).toBe(
      '23503',
    );
  });

  it('a reversal gives the redemption back: the count returns to zero', async () => {
    const { coupon } = await makeCoupon(db);
    const entry = await redeemDirectly(coupon.id);
    await reverseDirectly(coupon.id, entry.id);
    const row = await db
      .selectFrom('coupons')
      .select('redemption_count')
      .where('id', '=', coupon.id)
      .executeTakeFirstOrThrow();
    expect(row.redemption_count).toBe(0);
  });

  it('a redemption must come from a scan', async () => {
    const { coupon } = await makeCoupon(db);
    const error = await db
      .insertInto('transactions')
      .values({ kind: 'redemption', coupon_id: coupon.id, store_id: store.id, user_id: staff.id })
      .execute()
      .catch((e: unknown) => e);
    expect(pgCode(error)).toBe('23514');
  });

  it('coupon codes are unique and normalised', async () => {
    const { coupon, campaign } = await makeCoupon(db);
    const duplicate = await db
      .insertInto('coupons')
      .values({ campaign_id: campaign.id, code: coupon.code, max_redemptions: 1 })
      .execute()
      .catch((e: unknown) => e);
    expect(pgCode(duplicate)).toBe('23505');
    const lower = await db
      .insertInto('coupons')
      .values({ campaign_id: campaign.id, code: 'abcd-1234', max_redemptions: 1 })
      .execute()
      .catch((e: unknown) => e);
    expect(pgCode(lower)).toBe('23514');
  });

  it('staff must belong to a store and others must not', async () => {
    const staffless = await db
      .insertInto('users')
      .values({
        email: 'nostore@example.test',
        name: 'x',
        role: 'staff',
        store_id: null,
        password_hash: 'x',
      })
      .execute()
      .catch((e: unknown) => e);
    expect(pgCode(staffless)).toBe('23514');
    const marketer = await db
      .insertInto('users')
      .values({
        email: 'm-store@example.test',
        name: 'x',
        role: 'marketer',
        store_id: store.id,
        password_hash: 'x',
      })
      .execute()
      .catch((e: unknown) => e);
    expect(pgCode(marketer)).toBe('23514');
  });

  it('emails are unique regardless of case', async () => {
    await makeUser(db, 'marketer', { email: 'Case@Example.test' });
    const error = await makeUser(db, 'marketer', { email: 'case@example.TEST' }).catch(
      (e: unknown) => e,
    );
    expect(pgCode(error)).toBe('23505');
  });

  it('campaigns refuse an inverted validity window and a discount of the wrong shape', async () => {
    const inverted = await makeCampaign(db, {
      validFrom: new Date('2030-01-02'),
      validUntil: new Date('2030-01-01'),
    }).catch((e: unknown) => e);
    expect(pgCode(inverted)).toBe('23514');
    const badPercent = await db
      .insertInto('campaigns')
      .values({
        name: 'x',
        discount_type: 'percent',
        discount_value: 150,
        discount_description: '',
      })
      .execute()
      .catch((e: unknown) => e);
    expect(pgCode(badPercent)).toBe('23514');
    const amountWithoutCurrency = await db
      .insertInto('campaigns')
      .values({
        name: 'x',
        discount_type: 'fixed_amount',
        discount_value: 5,
        discount_description: '',
      })
      .execute()
      .catch((e: unknown) => e);
    expect(pgCode(amountWithoutCurrency)).toBe('23514');
  });

  it('a scan of a known outcome must name its coupon, an unknown one must not', async () => {
    const error = await db
      .insertInto('scans')
      .values({
        coupon_id: null,
        code: 'X',
        outcome: 'redeemed',
        store_id: store.id,
        user_id: staff.id,
      })
      .execute()
      .catch((e: unknown) => e);
    expect(pgCode(error)).toBe('23514');
  });
});
