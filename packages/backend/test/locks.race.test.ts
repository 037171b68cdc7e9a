// Every row lock the services take (users, campaigns, coupons, API tokens, the webhook outbox),
// proven by a race that goes wrong without it. Each race is made exact rather than likely: a
// second transaction takes the same locks as the competing request would (through the same
// repository functions) and makes its change without committing; the request under test must then
// wait for it (seen as a lock wait in pg_stat_activity), and after the commit it must judge the
// committed row. Without the lock the request does not wait, judges the old row, and the assertion
// fails. SKIP LOCKED is the other way round: the second claimer must not wait at all.
import { sql, type ControlledTransaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB } from '../src/db/database.ts';
import type { RedemptionSuccess } from '@couponscan/shared/redemptions';
import { lockCampaign, updateCampaign } from '../src/modules/campaigns/campaigns.repository.ts';
import { revokeApiTokenRow } from '../src/modules/api-tokens/api-tokens.repository.ts';
import { lockCouponById, voidCouponRow } from '../src/modules/coupons/coupons.repository.ts';
import { insertReversal } from '../src/modules/redemptions/redemptions.repository.ts';
import { dispatchEvents } from '../src/modules/webhooks/webhooks.repository.ts';
import {
  lockOtherActiveAdmins,
  lockUser,
  updateUser,
} from '../src/modules/users/users.repository.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';
import {
  loggedIn,
  makeCampaign,
  makeCoupon,
  makeStore,
  makeUser,
  type ApiClient,
} from './helpers/factories.ts';

let t: TestApp;
let marketer: ApiClient;
beforeAll(async () => {
  t = await createTestApp();
  marketer = await loggedIn(t.app, (await makeUser(t.db, 'marketer')).email);
});
afterAll(() => t.close());

/** A transaction that holds its locks and changes until `commit()`. */
async function holding(
  work: (trx: ControlledTransaction<DB>) => Promise<unknown>,
): Promise<ControlledTransaction<DB>> {
  const trx = await t.db.startTransaction().execute();
  await work(trx);
  return trx;
}

/** An undo of `redemption` as reverseRedemption does it (coupon lock, then the reversal row), held. */
function holdingUndo(undo: {
  couponId: string;
  redemptionId: string;
  storeId: string;
  userId: string;
  reason: string;
}): Promise<ControlledTransaction<DB>> {
  return holding(async (trx) => {
    await lockCouponById(trx, undo.couponId);
    await insertReversal(trx, {
      redemptionId: undo.redemptionId,
      couponId: undo.couponId,
      storeId: undo.storeId,
      userId: undo.userId,
      reason: undo.reason,
    });
  });
}

/**
 * Runs `request` while `holder` is open and tells whether it waited for one of the holder's
 * locks: 'waited' once a backend of this database waits on a lock, 'finished' if the request
 * answered first. Then commits the holder and returns the request's answer.
 */
async function raceAgainst<T>(
  holder: ControlledTransaction<DB>,
  request: () => Promise<T>,
): Promise<{ waited: boolean; answer: T }> {
  const pending = request();
  const state = { answered: false };
  void pending.then(
    () => (state.answered = true),
    () => (state.answered = true),
  );
  let waited = false;
  while (!state.answered) {
    const { rows } = await sql<{ waiting: number }>`
      select count(*)::int as waiting from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock'`.execute(t.db);
    if ((rows[0]?.waiting ?? 0) > 0) {
      waited = true;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await holder.commit().execute();
  return { waited, answer: await pending };
}

describe('users', () => {
  it('two admins disabling each other at once: one waits for the other and is refused as the last admin', async () => {
    await t.db
      .updateTable('users')
      .set({ disabled_at: new Date() })
      .where('role', '=', 'admin')
      .execute();
    const first = await makeUser(t.db, 'admin');
    const second = await makeUser(t.db, 'admin');
    const firstClient = await loggedIn(t.app, first.email);
    // the second admin's "disable me" as updateUserById does it, not yet committed
    const holder = await holding(async (trx) => {
      await lockUser(trx, second.id);
      expect(await lockOtherActiveAdmins(trx, second.id)).toBe(1);
      await updateUser(trx, second.id, { disabled: true });
    });

    const { waited, answer } = await raceAgainst(holder, () =>
      firstClient.request('PATCH', `/api/users/${first.id}`, { disabled: true }),
    );

    expect(waited).toBe(true);
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({ code: 'last_admin' });
    const active = await t.db
      .selectFrom('users')
      .select('id')
      .where('role', '=', 'admin')
      .where('disabled_at', 'is', null)
      .execute();
    expect(active.map((row) => row.id)).toEqual([first.id]);
  });

  it('a change to a user made while another is in flight keeps both: the second reads the first', async () => {
    const admin = await loggedIn(t.app, (await makeUser(t.db, 'admin')).email);
    const store = await makeStore(t.db);
    const user = await makeUser(t.db, 'staff', { storeId: store.id });
    // a demotion to marketer, not yet committed
    const holder = await holding(async (trx) => {
      await lockUser(trx, user.id);
      await updateUser(trx, user.id, { role: 'marketer', storeId: null });
    });

    const { waited, answer } = await raceAgainst(holder, () =>
      admin.request('PATCH', `/api/users/${user.id}`, { name: 'Renamed' }),
    );

    expect(waited).toBe(true);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ name: 'Renamed', role: 'marketer', storeId: null });
  });
});

describe('campaigns', () => {
  it('two changes of one campaign’s window at once: the second judges the window the first left', async () => {
    const campaign = await makeCampaign(t.db);
    // validFrom moves to June, not yet committed
    const holder = await holding(async (trx) => {
      await lockCampaign(trx, campaign.id);
      await updateCampaign(trx, campaign.id, { valid_from: new Date('2030-06-01T00:00:00Z') });
    });

    // alone, a validUntil in March is fine; after the June validFrom it is not
    const { waited, answer } = await raceAgainst(holder, () =>
      marketer.request('PATCH', `/api/campaigns/${campaign.id}`, {
        validUntil: '2030-03-01T00:00:00.000Z',
      }),
    );

    expect(waited).toBe(true);
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ code: 'validation_failed' });
  });

  it.each([
    [
      'issuing coupons',
      (id: string) => marketer.request('POST', `/api/campaigns/${id}/coupons`, { count: 5 }),
    ],
    [
      'a batch issued within the request',
      (id: string) => marketer.request('POST', `/api/campaigns/${id}/batches`, { count: 5 }),
    ],
    [
      'a CSV import',
      async (id: string) => {
        const response = await t.app.inject({
          method: 'POST',
          url: `/api/campaigns/${id}/imports`,
          headers: { 'content-type': 'text/csv', cookie: marketer.cookie },
          payload: 'code\nRACE1234\nRACE5678\n',
        });
        return { status: response.statusCode, body: response.json<unknown>() };
      },
    ],
  ])(
    '%s while the campaign is being archived waits for the archive and is refused',
    async (_, issue) => {
      const campaign = await makeCampaign(t.db);
      const holder = await holding(async (trx) => {
        await lockCampaign(trx, campaign.id);
        await updateCampaign(trx, campaign.id, { status: 'archived' });
      });

      const { waited, answer } = await raceAgainst(holder, () => issue(campaign.id));

      expect(waited).toBe(true);
      expect(answer.status).toBe(409);
      expect(answer.body).toMatchObject({ code: 'conflict' });
      const coupons = await t.db
        .selectFrom('coupons')
        .select('id')
        .where('campaign_id', '=', campaign.id)
        .execute();
      expect(coupons).toEqual([]);
    },
  );
});

describe('coupons', () => {
  it('two undos of one redemption at once: the second waits and is refused as already reversed', async () => {
    const store = await makeStore(t.db);
    const staffUser = await makeUser(t.db, 'staff', { storeId: store.id });
    const staff = await loggedIn(t.app, staffUser.email);
    const { coupon } = await makeCoupon(t.db);
    const redeemed = await staff.redeem(coupon.code);
    expect(redeemed.status).toBe(201);
    const { redemption } = redeemed.body as unknown as RedemptionSuccess;
    // the first undo, not yet committed
    const holder = await holdingUndo({
      couponId: coupon.id,
      redemptionId: redemption.id,
      storeId: store.id,
      userId: staffUser.id,
      reason: 'first',
    });

    const { waited, answer } = await raceAgainst(holder, () =>
      staff.request('POST', `/api/redemptions/${redemption.id}/reversal`, { reason: 'second' }),
    );

    expect(waited).toBe(true);
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({ code: 'already_reversed' });
  });
});

// A void takes no lock of its own: its UPDATE … WHERE voided_at IS NULL locks the row. These races
// prove that it waits for whoever holds the coupon and judges what they committed.
describe('voids', () => {
  async function redeemedCoupon() {
    const store = await makeStore(t.db);
    const staffUser = await makeUser(t.db, 'staff', { storeId: store.id });
    const staff = await loggedIn(t.app, staffUser.email);
    const { coupon } = await makeCoupon(t.db, { maxRedemptionsPerCoupon: 2 });
    const redeemed = await staff.redeem(coupon.code);
    expect(redeemed.status).toBe(201);
    const { redemption } = redeemed.body as unknown as RedemptionSuccess;
    return { store, staffUser, staff, coupon, redemption };
  }

  it('a void while an undo of the coupon is in flight waits for it and answers the coupon the undo left', async () => {
    const { store, staffUser, coupon, redemption } = await redeemedCoupon();
    // the undo, not yet committed
    const holder = await holdingUndo({
      couponId: coupon.id,
      redemptionId: redemption.id,
      storeId: store.id,
      userId: staffUser.id,
      reason: 'undo',
    });

    const { waited, answer } = await raceAgainst(holder, () =>
      marketer.request('POST', `/api/coupons/${coupon.code}/void`, { reason: 'lost' }),
    );

    expect(waited).toBe(true);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ redemptionCount: 0, voidReason: 'lost' });
  });

  it('a second void while one is in flight waits for it and is refused as voided already', async () => {
    const { coupon } = await makeCoupon(t.db);
    const admin = await makeUser(t.db, 'admin');
    // the first void as voidCoupon does it, not yet committed
    const holder = await holding((trx) => voidCouponRow(trx, coupon.id, 'first', admin.id));

    const { waited, answer } = await raceAgainst(holder, () =>
      marketer.request('POST', `/api/coupons/${coupon.code}/void`, { reason: 'second' }),
    );

    expect(waited).toBe(true);
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({ code: 'conflict' });
    const row = await t.db
      .selectFrom('coupons')
      .select('void_reason')
      .where('id', '=', coupon.id)
      .executeTakeFirstOrThrow();
    expect(row.void_reason).toBe('first');
  });

  it('a redemption while a void of the coupon is in flight waits for it and is refused as voided', async () => {
    const { staff, coupon } = await redeemedCoupon();
    const admin = await makeUser(t.db, 'admin');
    const holder = await holding((trx) => voidCouponRow(trx, coupon.id, 'printed twice', admin.id));

    const { waited, answer } = await raceAgainst(holder, () => staff.redeem(coupon.code));

    expect(waited).toBe(true);
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({ code: 'voided', outcome: 'voided' });
  });
});

describe('API tokens', () => {
  it('a revoke while another revoke of the token is in flight waits and keeps the first revocation time', async () => {
    const admin = await loggedIn(t.app, (await makeUser(t.db, 'admin')).email);
    const store = await makeStore(t.db);
    const created = await admin.request<{ token: { id: string } }>('POST', '/api/api-tokens', {
      name: 'Till race',
      role: 'staff',
      storeId: store.id,
    });
    expect(created.status).toBe(201);
    const id = created.body.token.id;
    let firstRevokedAt: Date | null = null;
    const holder = await holding(async (trx) => {
      expect(await revokeApiTokenRow(trx, id)).toBe(true);
      const row = await trx
        .selectFrom('api_tokens')
        .select('revoked_at')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      firstRevokedAt = row.revoked_at;
    });

    const { waited, answer } = await raceAgainst(holder, () =>
      admin.request<{ revokedAt: string }>('POST', `/api/api-tokens/${id}/revoke`),
    );

    expect(waited).toBe(true);
    expect(answer.status).toBe(200);
    expect(answer.body.revokedAt).toBe((firstRevokedAt as Date | null)?.toISOString());
  });
});

describe('webhook dispatch', () => {
  it('a second dispatcher skips the events another holds: it neither waits nor delivers them twice', async () => {
    await t.db
      .updateTable('webhook_events')
      .set({ dispatched_at: new Date() })
      .where('dispatched_at', 'is', null)
      .execute();
    await t.db
      .insertInto('webhook_endpoints')
      .values({
        url: 'https://hooks.example.test/race',
        events: ['coupon.voided'],
        secret: 'whsec_race',
        created_by: null,
      })
      .execute();
    const event = await t.db
      .insertInto('webhook_events')
      .values({ type: 'coupon.voided', data: '{}' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const holder = await holding(async (trx) => {
      expect(await dispatchEvents(trx, 200)).toHaveLength(1);
    });

    const { waited, answer } = await raceAgainst(holder, () =>
      t.db.transaction().execute((trx) => dispatchEvents(trx, 200)),
    );

    expect(waited).toBe(false);
    expect(answer).toEqual([]);
    const deliveries = await t.db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('event_id', '=', event.id)
      .execute();
    expect(deliveries).toHaveLength(1);
  });
});
