// Every outcome of POST /api/redemptions, the scan it leaves, undo, and the ledger.
import type { RedemptionSuccess } from '@couponscan/shared/redemptions';
import { formatCouponCode, generateCouponCode } from '@couponscan/shared/code';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/app.ts';
import type { ApiClient } from './helpers/factories.ts';
import { loggedIn, makeCampaign, makeCoupon, makeStore, makeUser } from './helpers/factories.ts';

let t: TestApp;
let store: Awaited<ReturnType<typeof makeStore>>;
let staffUser: Awaited<ReturnType<typeof makeUser>>;
let staff: ApiClient;

beforeAll(async () => {
  t = await createTestApp();
  store = await makeStore(t.db, 'Harbour Street');
  staffUser = await makeUser(t.db, 'staff', { storeId: store.id, name: 'Robin Till' });
  staff = await loggedIn(t.app, staffUser.email);
});
afterAll(() => t.close());

const HOUR = 3600_000;

function scansOf(couponId: string) {
  return t.db.selectFrom('scans').selectAll().where('coupon_id', '=', couponId).execute();
}

describe('redeeming a coupon', () => {
  it('a first redemption answers 201 with the discount, the ledger row and the undo deadline', async () => {
    const { coupon, campaign } = await makeCoupon(t.db);
    const response = await staff.redeem(coupon.code);

    expect(response.status).toBe(201);
    const body = response.body as unknown as RedemptionSuccess;
    expect(body).toMatchObject({
      outcome: 'redeemed',
      discount: { type: 'percent', value: 15, currency: null, description: '15% off' },
      redemptionsLeft: 0,
      redemption: {
        kind: 'redemption',
        couponId: coupon.id,
        code: coupon.code,
        displayCode: formatCouponCode(coupon.code),
        campaignId: campaign.id,
        campaignName: campaign.name,
        storeId: store.id,
        storeName: 'Harbour Street',
        userId: staffUser.id,
        userName: 'Robin Till',
        reversesId: null,
        reversedById: null,
      },
    });
    expect(body.redemption.undoableUntil).toBe(body.undoableUntil);
    const created = Date.parse(body.redemption.createdAt);
    expect(Date.parse(body.undoableUntil) - created).toBe(t.config.undoWindowMinutes * 60_000);
    const scans = await scansOf(coupon.id);
    expect(scans.map((s) => s.outcome)).toEqual(['redeemed']);
    const ledger = await t.db
      .selectFrom('transactions')
      .selectAll()
      .where('coupon_id', '=', coupon.id)
      .execute();
    expect(ledger).toHaveLength(1);
    expect(ledger[0]?.scan_id).toBe(scans[0]?.id);
  });

  it('a second redemption of a single-use coupon is refused with already_redeemed naming when, where and by whom', async () => {
    const { coupon } = await makeCoupon(t.db);
    const first = await staff.redeem(coupon.code);
    const second = await staff.redeem(coupon.code);

    expect(second.status).toBe(409);
    expect(second.headers['content-type']).toContain('application/problem+json');
    const firstBody = first.body as unknown as RedemptionSuccess;
    expect(second.body).toMatchObject({
      status: 409,
      code: 'already_redeemed',
      outcome: 'already_redeemed',
      type: 'https://couponscan.dev/problems/already-redeemed',
      earlierRedemptions: [
        {
          redemptionId: firstBody.redemption.id,
          redeemedAt: firstBody.redemption.createdAt,
          storeName: 'Harbour Street',
          userName: 'Robin Till',
        },
      ],
    });
    expect((await scansOf(coupon.id)).map((s) => s.outcome).sort()).toEqual([
      'already_redeemed',
      'redeemed',
    ]);
  });

  it('a multi-use coupon is redeemed up to its limit and then refused', async () => {
    const { coupon } = await makeCoupon(t.db, { maxRedemptionsPerCoupon: 2 });
    const answers = [
      await staff.redeem(coupon.code),
      await staff.redeem(coupon.code),
      await staff.redeem(coupon.code),
    ];
    expect(answers.map((a) => a.status)).toEqual([201, 201, 409]);
    expect((answers[0]?.body as unknown as RedemptionSuccess).redemptionsLeft).toBe(1);
    expect((answers[2]?.body as { earlierRedemptions: unknown[] }).earlierRedemptions).toHaveLength(
      2,
    );
  });

  it('a voided coupon is refused with voided and the reason', async () => {
    const { coupon } = await makeCoupon(t.db);
    await t.db
      .updateTable('coupons')
      .set({ voided_at: new Date(), void_reason: 'printed twice' })
      .where('id', '=', coupon.id)
      .execute();
    const response = await staff.redeem(coupon.code);
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({
      code: 'voided',
      outcome: 'voided',
      detail: expect.stringContaining('printed twice'),
    });
  });

  it('a coupon past its campaign end is refused with expired', async () => {
    const { coupon } = await makeCoupon(t.db, {
      validFrom: new Date(Date.now() - 48 * HOUR),
      validUntil: new Date(Date.now() - HOUR),
    });
    const response = await staff.redeem(coupon.code);
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({
      code: 'expired',
      outcome: 'expired',
      validUntil: expect.any(String),
    });
  });

  it('a coupon of an archived campaign is refused with expired', async () => {
    const { coupon, campaign } = await makeCoupon(t.db);
    await t.db
      .updateTable('campaigns')
      .set({ status: 'archived' })
      .where('id', '=', campaign.id)
      .execute();
    expect((await staff.redeem(coupon.code)).body).toMatchObject({ code: 'expired' });
  });

  it('a coupon before its campaign starts is refused with not_yet_valid', async () => {
    const { coupon } = await makeCoupon(t.db, { validFrom: new Date(Date.now() + HOUR) });
    const response = await staff.redeem(coupon.code);
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ code: 'not_yet_valid', outcome: 'not_yet_valid' });
  });

  it('a coupon of a paused campaign is refused with campaign_paused', async () => {
    const { coupon } = await makeCoupon(t.db, { status: 'paused' });
    const response = await staff.redeem(coupon.code);
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ code: 'campaign_paused', outcome: 'campaign_paused' });
  });

  it('a coupon valid only in other stores is refused with wrong_store, naming the stores where it is valid', async () => {
    const elsewhere = await makeStore(t.db);
    const { coupon } = await makeCoupon(t.db, { storeIds: [elsewhere.id] });
    const response = await staff.redeem(coupon.code);
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({
      code: 'wrong_store',
      detail: expect.stringContaining('Harbour Street'),
      validStoreNames: [elsewhere.name],
    });
  });

  it('a coupon valid in this store among others is redeemed', async () => {
    const elsewhere = await makeStore(t.db);
    const { coupon } = await makeCoupon(t.db, { storeIds: [elsewhere.id, store.id] });
    expect((await staff.redeem(coupon.code)).status).toBe(201);
  });

  it('an unknown code answers 404 not_found and still leaves a scan', async () => {
    const code = generateCouponCode();
    const response = await staff.redeem(code);
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ code: 'not_found', outcome: 'not_found' });
    const scans = await t.db.selectFrom('scans').selectAll().where('code', '=', code).execute();
    expect(scans).toMatchObject([
      { outcome: 'not_found', coupon_id: null, store_id: store.id, user_id: staffUser.id },
    ]);
  });

  it('a code with a wrong check character answers 422 invalid_code and leaves a scan', async () => {
    const code = generateCouponCode();
    const typo = code.slice(0, -1) + (code.endsWith('A') ? 'B' : 'A');
    const response = await staff.redeem(typo);
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'invalid_code', outcome: 'invalid_code' });
    const scans = await t.db.selectFrom('scans').selectAll().where('code', '=', typo).execute();
    expect(scans).toMatchObject([{ outcome: 'invalid_code', coupon_id: null }]);
  });

  it('text that is no code at all answers 422 invalid_code', async () => {
    const response = await staff.redeem('<script>alert(1)</script>');
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'invalid_code' });
  });

  it('every attempt, refused or not, leaves exactly one scan row', async () => {
    const before = await t.db
      .selectFrom('scans')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    const { coupon } = await makeCoupon(t.db);
    await staff.redeem(coupon.code);
    await staff.redeem(coupon.code);
    await staff.redeem(generateCouponCode());
    await staff.redeem('nope!');
    const after = await t.db
      .selectFrom('scans')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n) - Number(before.n)).toBe(4);
  });

  it('accepts the code as people write it: lower case, dashes, spaces, or a URL ending in it', async () => {
    const forms = (code: string) => [
      formatCouponCode(code).toLowerCase(),
      ` ${formatCouponCode(code).replaceAll('-', ' ')} `,
      `https://shop.example/c/${formatCouponCode(code)}`,
    ];
    for (let i = 0; i < 3; i++) {
      const { coupon } = await makeCoupon(t.db);
      const response = await staff.redeem(forms(coupon.code)[i] ?? '');
      expect(response.status).toBe(201);
    }
  });

  it('requires an Idempotency-Key header: 400 idempotency_key_required', async () => {
    const { coupon } = await makeCoupon(t.db);
    const response = await staff.request('POST', '/api/redemptions', { code: coupon.code });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'idempotency_key_required' });
    expect(await scansOf(coupon.id)).toHaveLength(0);
  });

  it('refuses an Idempotency-Key that is too short: 422 validation_failed', async () => {
    const { coupon } = await makeCoupon(t.db);
    const response = await staff.redeem(coupon.code, 'short');
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'validation_failed' });
  });

  it('staff cannot redeem for another store: 403 forbidden', async () => {
    const elsewhere = await makeStore(t.db);
    const { coupon } = await makeCoupon(t.db);
    const response = await staff.redeem(coupon.code, undefined, { storeId: elsewhere.id });
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ code: 'forbidden' });
  });

  it('an admin redeems in the store they name, and must name one', async () => {
    const admin = await loggedIn(t.app, (await makeUser(t.db, 'admin')).email);
    const { coupon } = await makeCoupon(t.db);
    const unnamed = await admin.redeem(coupon.code);
    expect(unnamed.status).toBe(422);
    expect(unnamed.body).toMatchObject({
      code: 'validation_failed',
      errors: [{ pointer: '/body/storeId' }],
    });
    const named = await admin.redeem(coupon.code, undefined, { storeId: store.id });
    expect(named.status).toBe(201);
    expect(named.body).toMatchObject({ redemption: { storeId: store.id } });
  });

  it('marketers do not redeem: 403 forbidden', async () => {
    const marketer = await loggedIn(t.app, (await makeUser(t.db, 'marketer')).email);
    const { coupon } = await makeCoupon(t.db);
    expect((await marketer.redeem(coupon.code)).status).toBe(403);
  });
});

describe('undoing a redemption', () => {
  async function redeemed(client: ApiClient = staff) {
    const { coupon } = await makeCoupon(t.db);
    const response = await client.redeem(coupon.code);
    expect(response.status).toBe(201);
    return { coupon, redemption: (response.body as unknown as RedemptionSuccess).redemption };
  }

  it('staff undo their own redemption within the window; the coupon can be redeemed again', async () => {
    const { coupon, redemption } = await redeemed();
    const reversal = await staff.request('POST', `/api/redemptions/${redemption.id}/reversal`, {
      reason: 'wrong item',
    });
    expect(reversal.status).toBe(201);
    expect(reversal.body).toMatchObject({
      kind: 'reversal',
      reversesId: redemption.id,
      reason: 'wrong item',
      couponId: coupon.id,
    });
    const row = await t.db
      .selectFrom('coupons')
      .select('redemption_count')
      .where('id', '=', coupon.id)
      .executeTakeFirstOrThrow();
    expect(row.redemption_count).toBe(0);
    expect((await staff.redeem(coupon.code)).status).toBe(201);
  });

  it('a redemption is undone only once: 409 already_reversed', async () => {
    const { redemption } = await redeemed();
    await staff.request('POST', `/api/redemptions/${redemption.id}/reversal`, { reason: 'oops' });
    const again = await staff.request('POST', `/api/redemptions/${redemption.id}/reversal`, {
      reason: 'oops',
    });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'already_reversed' });
  });

  it("staff cannot undo a colleague's redemption: 403 forbidden", async () => {
    const colleague = await loggedIn(
      t.app,
      (await makeUser(t.db, 'staff', { storeId: store.id })).email,
    );
    const { redemption } = await redeemed(colleague);
    const response = await staff.request('POST', `/api/redemptions/${redemption.id}/reversal`, {
      reason: 'x',
    });
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ code: 'forbidden' });
  });

  it("staff do not see another store's redemption: 404 not_found", async () => {
    const other = await loggedIn(t.app, (await makeUser(t.db, 'staff')).email);
    const { redemption } = await redeemed(other);
    const response = await staff.request('POST', `/api/redemptions/${redemption.id}/reversal`, {
      reason: 'x',
    });
    expect(response.status).toBe(404);
  });

  it('after the undo window staff are refused with undo_window_passed, admins may still undo', async () => {
    const strict = await createTestApp({ database: t.database, config: { undoWindowMinutes: 0 } });
    try {
      const strictStaff = await loggedIn(strict.app, staffUser.email);
      const { coupon } = await makeCoupon(t.db);
      const redemption = (await strictStaff.redeem(coupon.code))
        .body as unknown as RedemptionSuccess;
      const refused = await strictStaff.request(
        'POST',
        `/api/redemptions/${redemption.redemption.id}/reversal`,
        { reason: 'late' },
      );
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ code: 'undo_window_passed' });
      const admin = await loggedIn(strict.app, (await makeUser(t.db, 'admin')).email);
      const allowed = await admin.request(
        'POST',
        `/api/redemptions/${redemption.redemption.id}/reversal`,
        { reason: 'late' },
      );
      expect(allowed.status).toBe(201);
    } finally {
      await strict.close();
    }
  });

  it('a reversal cannot itself be reversed: 404 not_found', async () => {
    const { redemption } = await redeemed();
    const reversal = await staff.request<{ id: string }>(
      'POST',
      `/api/redemptions/${redemption.id}/reversal`,
      { reason: 'x' },
    );
    const response = await staff.request('POST', `/api/redemptions/${reversal.body.id}/reversal`, {
      reason: 'x',
    });
    expect(response.status).toBe(404);
  });

  it('a reason is required: 422 validation_failed', async () => {
    const { redemption } = await redeemed();
    const response = await staff.request('POST', `/api/redemptions/${redemption.id}/reversal`, {});
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({
      code: 'validation_failed',
      errors: [{ pointer: '/body/reason' }],
    });
  });
});

describe('the ledger', () => {
  it('lists redemptions and reversals newest first, filtered by campaign, store and time, page by page', async () => {
    const admin = await loggedIn(t.app, (await makeUser(t.db, 'admin')).email);
    const campaign = await makeCampaign(t.db, { maxRedemptionsPerCoupon: 10 });
    const { issueCoupons } = await import('../src/modules/coupons/coupons.service.ts');
    const coupons = await issueCoupons(t.db, campaign.id, 5);
    const from = new Date().toISOString();
    const ids: string[] = [];
    for (const coupon of coupons) {
      const response = await staff.redeem(coupon.code);
      ids.push((response.body as unknown as RedemptionSuccess).redemption.id);
    }
    const reversal = await staff.request<{ id: string }>(
      'POST',
      `/api/redemptions/${ids[0] ?? ''}/reversal`,
      { reason: 'x' },
    );

    const seen: {
      id: string;
      kind: string;
      reversedById: string | null;
      undoableUntil: string | null;
    }[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/api/redemptions?campaignId=${campaign.id}&storeId=${store.id}&from=${encodeURIComponent(from)}&limit=2${cursor === null ? '' : `&cursor=${cursor}`}`;
      const page = await admin.request<{ items: typeof seen; nextCursor: string | null }>(
        'GET',
        query,
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor !== null);

    expect(seen).toHaveLength(6);
    expect(seen[0]).toMatchObject({ id: reversal.body.id, kind: 'reversal' });
    expect(seen.slice(1).map((e) => e.id)).toEqual([...ids].reverse());
    expect(seen.find((e) => e.id === ids[0])?.reversedById).toBe(reversal.body.id);
    // a redemption that was undone, and the reversal itself, can no longer be undone
    expect(seen.find((e) => e.id === ids[0])).toMatchObject({ undoableUntil: null });
    expect(seen[0]).toMatchObject({ undoableUntil: null });
    expect(seen.find((e) => e.id === ids[1])).toMatchObject({ undoableUntil: expect.any(String) });

    const future = await admin.request<{ items: unknown[] }>(
      'GET',
      `/api/redemptions?campaignId=${campaign.id}&from=${encodeURIComponent(new Date(Date.now() + HOUR).toISOString())}`,
    );
    expect(future.body.items).toHaveLength(0);
  });

  it('pages never skip entries written within the same millisecond', async () => {
    const admin = await loggedIn(t.app, (await makeUser(t.db, 'admin')).email);
    const campaign = await makeCampaign(t.db);
    const { issueCoupons } = await import('../src/modules/coupons/coupons.service.ts');
    const coupons = await issueCoupons(t.db, campaign.id, 3);
    for (const [i, coupon] of coupons.entries()) {
      // microseconds apart: one JavaScript millisecond
      const at = `2031-01-01T00:00:00.00000${i + 1}Z`;
      const scan = await t.db
        .insertInto('scans')
        .values({
          coupon_id: coupon.id,
          code: coupon.code,
          outcome: 'redeemed',
          store_id: store.id,
          user_id: staffUser.id,
          created_at: at,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await t.db
        .insertInto('transactions')
        .values({
          kind: 'redemption',
          coupon_id: coupon.id,
          store_id: store.id,
          user_id: staffUser.id,
          scan_id: scan.id,
          created_at: at,
        })
        .execute();
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/redemptions?campaignId=${campaign.id}&limit=1${cursor === null ? '' : `&cursor=${cursor}`}`;
      const page = await admin.request<{
        items: { couponId: string }[];
        nextCursor: string | null;
      }>('GET', url);
      seen.push(...page.body.items.map((e) => e.couponId));
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    expect(seen.sort()).toEqual(coupons.map((c) => c.id).sort());
  });

  it('staff see only their own entries with mine=true', async () => {
    const colleague = await loggedIn(
      t.app,
      (await makeUser(t.db, 'staff', { storeId: store.id })).email,
    );
    const { coupon } = await makeCoupon(t.db);
    await colleague.redeem(coupon.code);
    const mine = await staff.request<{ items: { userId: string }[] }>(
      'GET',
      '/api/redemptions?mine=true&limit=500',
    );
    expect(mine.body.items.length).toBeGreaterThan(0);
    expect(mine.body.items.every((e) => e.userId === staffUser.id)).toBe(true);
  });
});

describe('rate limits', () => {
  it('redemptions beyond the per-minute limit are refused with 429 rate_limited', async () => {
    const limited = await createTestApp({
      database: t.database,
      config: {
        rateLimit: { loginPerMinute: 100, loginPerIpPerMinute: 1000, redemptionsPerMinute: 3 },
      },
    });
    try {
      const client = await loggedIn(limited.app, staffUser.email);
      const { coupon } = await makeCoupon(t.db, { maxRedemptionsPerCoupon: 10 });
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await client.redeem(coupon.code)).status);
      expect(statuses).toEqual([201, 201, 201, 429]);
      const refused = await client.redeem(coupon.code);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(refused.body).toMatchObject({ status: 429, code: 'rate_limited' });
    } finally {
      await limited.close();
    }
  });
});
