// Idempotency-Key on POST /api/redemptions, by Stripe's rules: a retried request is answered from
// the stored answer, a reused key with another body is refused, keys live 24 hours.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/app.ts';
import type { ApiClient } from './helpers/factories.ts';
import { loggedIn, makeCoupon, makeUser } from './helpers/factories.ts';

let t: TestApp;
let staff: ApiClient;
let staffId: string;

beforeAll(async () => {
  t = await createTestApp();
  const user = await makeUser(t.db, 'staff');
  staffId = user.id;
  staff = await loggedIn(t.app, user.email);
});
afterAll(() => t.close());

const ledgerOf = (couponId: string) =>
  t.db.selectFrom('transactions').select('id').where('coupon_id', '=', couponId).execute();

describe('Idempotency-Key', () => {
  it('a retry with the same key and body replays the stored answer without redeeming again', async () => {
    const { coupon } = await makeCoupon(t.db, { maxRedemptionsPerCoupon: 3 });
    const first = await staff.redeem(coupon.code, 'key-replay-1');
    const retry = await staff.redeem(coupon.code, 'key-replay-1');
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(await ledgerOf(coupon.id)).toHaveLength(1);
  });

  it('a refusal is replayed as well, with its status and problem type', async () => {
    const { coupon } = await makeCoupon(t.db);
    await staff.redeem(coupon.code);
    const refused = await staff.redeem(coupon.code, 'key-refusal-1');
    const retry = await staff.redeem(coupon.code, 'key-refusal-1');
    expect(refused.status).toBe(409);
    expect(retry.status).toBe(409);
    expect(retry.headers['content-type']).toContain('application/problem+json');
    expect(retry.body).toEqual(refused.body);
  });

  it('a retry gets the very bytes of the first answer, for a redemption and for a refusal', async () => {
    const { coupon } = await makeCoupon(t.db);
    const send = (key: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/redemptions',
        headers: {
          cookie: staff.cookie,
          'content-type': 'application/json',
          'idempotency-key': key,
        },
        payload: JSON.stringify({ code: coupon.code }),
      });
    const redeemed = await send('key-bytes-1');
    const redeemedAgain = await send('key-bytes-1');
    const refused = await send('key-bytes-2');
    const refusedAgain = await send('key-bytes-2');
    expect([redeemed.statusCode, redeemedAgain.statusCode]).toEqual([201, 201]);
    expect(redeemedAgain.body).toBe(redeemed.body);
    expect([refused.statusCode, refusedAgain.statusCode]).toEqual([409, 409]);
    expect(refusedAgain.body).toBe(refused.body);
    expect(refusedAgain.headers['idempotent-replayed']).toBe('true');
  });

  it('the same key with a different body is refused with 422 idempotency_key_reused and redeems nothing', async () => {
    const { coupon: a } = await makeCoupon(t.db);
    const { coupon: b } = await makeCoupon(t.db);
    await staff.redeem(a.code, 'key-mismatch-1');
    const reused = await staff.redeem(b.code, 'key-mismatch-1');
    expect(reused.status).toBe(422);
    expect(reused.body).toMatchObject({ code: 'idempotency_key_reused' });
    expect(await ledgerOf(b.id)).toHaveLength(0);
  });

  it('keys belong to a user: another user with the same key gets an answer of their own', async () => {
    const { coupon } = await makeCoupon(t.db, { maxRedemptionsPerCoupon: 2 });
    const other = await loggedIn(t.app, (await makeUser(t.db, 'staff')).email);
    const mine = await staff.redeem(coupon.code, 'key-shared-1');
    const theirs = await other.redeem(coupon.code, 'key-shared-1');
    expect(mine.status).toBe(201);
    expect(theirs.status).toBe(201);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(await ledgerOf(coupon.id)).toHaveLength(2);
  });

  it('keys are kept for 24 hours; an expired key counts as new', async () => {
    const { coupon } = await makeCoupon(t.db, { maxRedemptionsPerCoupon: 2 });
    await staff.redeem(coupon.code, 'key-expiry-1');
    const stored = await t.db
      .selectFrom('idempotency_keys')
      .select(sql<number>`extract(epoch from expires_at - created_at)::int`.as('ttl'))
      .where('user_id', '=', staffId)
      .where('key', '=', 'key-expiry-1')
      .executeTakeFirstOrThrow();
    expect(stored.ttl).toBe(24 * 3600);

    await t.db
      .updateTable('idempotency_keys')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('key', '=', 'key-expiry-1')
      .execute();
    const fresh = await staff.redeem(coupon.code, 'key-expiry-1');
    expect(fresh.status).toBe(201);
    expect(fresh.headers['idempotent-replayed']).toBeUndefined();
    expect(await ledgerOf(coupon.id)).toHaveLength(2);
  });

  it('the key is stored in the redemption transaction: when the redemption fails, nothing is kept', async () => {
    const { coupon } = await makeCoupon(t.db);
    // Make the ledger insert fail inside the transaction, as a bug or a crash would.
    await sql`create function fail_ledger() returns trigger language plpgsql as $$
      begin raise exception 'simulated failure'; end $$`.execute(t.db);
    await sql`create trigger fail_ledger before insert on transactions for each row execute function fail_ledger()`.execute(
      t.db,
    );
    try {
      const failed = await staff.redeem(coupon.code, 'key-atomic-1');
      expect(failed.status).toBe(500);
      expect(failed.body).toMatchObject({ code: 'internal_error' });
      expect(JSON.stringify(failed.body)).not.toContain('simulated');
    } finally {
      await sql`drop trigger fail_ledger on transactions`.execute(t.db);
      await sql`drop function fail_ledger`.execute(t.db);
    }
    const key = await t.db
      .selectFrom('idempotency_keys')
      .select('key')
      .where('key', '=', 'key-atomic-1')
      .execute();
    const scans = await t.db
      .selectFrom('scans')
      .select('id')
      .where('coupon_id', '=', coupon.id)
      .execute();
    expect(key).toHaveLength(0);
    expect(scans).toHaveLength(0);
    // The retry then redeems for real.
    expect((await staff.redeem(coupon.code, 'key-atomic-1')).status).toBe(201);
  });
});
