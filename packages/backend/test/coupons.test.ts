// Coupons: issuing (codes distinct and self-checking), listing, the scanner's preview with the
// reason a coupon cannot be redeemed, and voiding.
import { generateCouponCode, parseCouponCode } from '@couponscan/shared/code';
import type { Page } from '@couponscan/shared/common';
import type { Coupon, CouponPreview } from '@couponscan/shared/coupons';
import type { Problem } from '@couponscan/shared/errors';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
let admin: ApiClient;
let staff: ApiClient;
let staffStoreId: string;
let staffUserId: string;

beforeAll(async () => {
  t = await createTestApp();
  marketer = await loggedIn(t.app, (await makeUser(t.db, 'marketer')).email);
  admin = await loggedIn(t.app, (await makeUser(t.db, 'admin')).email);
  const staffUser = await makeUser(t.db, 'staff');
  staffStoreId = staffUser.store_id ?? '';
  staffUserId = staffUser.id;
  staff = await loggedIn(t.app, staffUser.email);
});
afterAll(() => t.close());

const HOUR = 3600_000;

function issue(campaignId: string, count: number) {
  return marketer.request<{ items: Coupon[] }>('POST', `/api/campaigns/${campaignId}/coupons`, {
    count,
  });
}

function preview(client: ApiClient, code: string, query = '') {
  return client.request<CouponPreview>('GET', `/api/coupons/${encodeURIComponent(code)}${query}`);
}

/** A well-formed generated code whose check character is wrong. */
function withWrongCheckCharacter(code: string): string {
  const last = code.slice(-1);
  return code.slice(0, -1) + (last === '0' ? '1' : '0');
}

describe('issuing coupons', () => {
  it('issuing one coupon answers 201 with a valid, self-checking code', async () => {
    const campaign = await makeCampaign(t.db, { maxRedemptionsPerCoupon: 3 });
    const response = await issue(campaign.id, 1);
    expect(response.status).toBe(201);
    expect(response.body.items).toHaveLength(1);
    const [coupon] = response.body.items;
    expect(coupon).toMatchObject({
      campaignId: campaign.id,
      status: 'active',
      redemptionCount: 0,
      maxRedemptions: 3,
      voidedAt: null,
    });
    expect(parseCouponCode(coupon?.code ?? '')).toEqual({
      ok: true,
      kind: 'generated',
      code: coupon?.code,
    });
  });

  it('10,000 coupons in one call are all distinct, stored, and carry a valid check character', async () => {
    const campaign = await makeCampaign(t.db);
    const response = await issue(campaign.id, 10_000);
    expect(response.status).toBe(201);
    const codes = response.body.items.map((coupon) => coupon.code);
    expect(codes).toHaveLength(10_000);
    expect(new Set(codes).size).toBe(10_000);
    const bad = codes.filter((code) => {
      const parsed = parseCouponCode(code);
      return !parsed.ok || parsed.kind !== 'generated' || parsed.code !== code;
    });
    expect(bad).toEqual([]);
    // the display form reads back to the same code
    const sample = response.body.items[1234];
    expect(parseCouponCode(sample?.displayCode ?? '')).toMatchObject({ code: sample?.code });
    const stored = await t.db
      .selectFrom('coupons')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('campaign_id', '=', campaign.id)
      .executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(10_000);
  });

  it.each([10_001, 0, -1])('a count of %i is refused with 422 validation_failed', async (count) => {
    const campaign = await makeCampaign(t.db);
    const response = await marketer.request<Problem>(
      'POST',
      `/api/campaigns/${campaign.id}/coupons`,
      { count },
    );
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({
      code: 'validation_failed',
      errors: [{ pointer: '/body/count' }],
    });
  });

  it('an archived campaign issues no more coupons: 409 conflict', async () => {
    const campaign = await makeCampaign(t.db, { status: 'archived' });
    const response = await issue(campaign.id, 5);
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ code: 'conflict' });
    const rows = await t.db
      .selectFrom('coupons')
      .select('id')
      .where('campaign_id', '=', campaign.id)
      .execute();
    expect(rows).toHaveLength(0);
  });

  it('a paused campaign still issues coupons', async () => {
    const campaign = await makeCampaign(t.db, { status: 'paused' });
    expect((await issue(campaign.id, 2)).status).toBe(201);
  });

  it('issuing for a campaign that does not exist answers 404 not_found', async () => {
    const response = await issue(randomUUID(), 1);
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ code: 'not_found' });
  });
});

describe('listing coupons', () => {
  it('the status filter keeps only active, redeemed or voided coupons', async () => {
    const campaign = await makeCampaign(t.db);
    const [redeemed, voided, active] = (await issue(campaign.id, 3)).body.items;
    if (redeemed === undefined || voided === undefined || active === undefined)
      throw new Error('not issued');
    expect((await staff.redeem(redeemed.code)).status).toBe(201);
    expect(
      (await marketer.request('POST', `/api/coupons/${voided.code}/void`, { reason: 'lost' }))
        .status,
    ).toBe(200);

    for (const [status, expected] of [
      ['active', active],
      ['redeemed', redeemed],
      ['voided', voided],
    ] as const) {
      const response = await marketer.request<Page<Coupon>>(
        'GET',
        `/api/campaigns/${campaign.id}/coupons?status=${status}`,
      );
      expect(response.status).toBe(200);
      expect(response.body.items.map((c) => [c.id, c.status])).toEqual([[expected.id, status]]);
    }
  });

  it('walking the pages of one issue gives every coupon exactly once', async () => {
    const campaign = await makeCampaign(t.db);
    const issued = (await issue(campaign.id, 25)).body.items.map((c) => c.id);

    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const page = await admin.request<Page<Coupon>>(
        'GET',
        `/api/campaigns/${campaign.id}/coupons?limit=10${query}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(10);
      ids.push(...page.body.items.map((c) => c.id));
      cursor = page.body.nextCursor;
    } while (cursor !== null && ids.length <= issued.length);

    expect(ids).toHaveLength(25);
    expect(new Set(ids)).toEqual(new Set(issued));
  });

  it('listing the coupons of a campaign that does not exist answers 404 not_found', async () => {
    const response = await marketer.request('GET', `/api/campaigns/${randomUUID()}/coupons`);
    expect(response.status).toBe(404);
  });

  it('a bad cursor is refused with 422 validation_failed', async () => {
    const campaign = await makeCampaign(t.db);
    const response = await marketer.request(
      'GET',
      `/api/campaigns/${campaign.id}/coupons?cursor=%%%`,
    );
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'validation_failed' });
  });
});

describe('previewing a coupon', () => {
  it('staff see a redeemable coupon with its campaign, discount and redemptions left', async () => {
    const { campaign, coupon } = await makeCoupon(t.db, { maxRedemptionsPerCoupon: 2 });
    const response = await preview(staff, coupon.code);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      coupon: { id: coupon.id, code: coupon.code, status: 'active' },
      campaign: {
        id: campaign.id,
        name: campaign.name,
        status: 'active',
        discount: { type: 'percent', value: 15, description: '15% off' },
      },
      redemptionsLeft: 2,
      redeemable: true,
      reason: null,
      redemptions: [],
    });
  });

  it('a voided coupon is not redeemable, reason voided', async () => {
    const { coupon } = await makeCoupon(t.db);
    await marketer.request('POST', `/api/coupons/${coupon.code}/void`, { reason: 'misprint' });
    const response = await preview(staff, coupon.code);
    expect(response.body).toMatchObject({
      redeemable: false,
      reason: 'voided',
      coupon: { status: 'voided', voidReason: 'misprint' },
    });
  });

  it('a used coupon is not redeemable, reason already_redeemed, with who redeemed it where', async () => {
    const { coupon } = await makeCoupon(t.db);
    const redeemed = await staff.redeem(coupon.code);
    expect(redeemed.status).toBe(201);
    const response = await preview(staff, coupon.code);
    expect(response.body).toMatchObject({
      redeemable: false,
      reason: 'already_redeemed',
      redemptionsLeft: 0,
      redemptions: [{ storeId: staffStoreId, userId: staffUserId }],
    });
    expect(response.body.redemptions).toHaveLength(1);
  });

  it.each([
    ['expired', { validUntil: new Date(Date.now() - HOUR) }],
    ['not_yet_valid', { validFrom: new Date(Date.now() + HOUR) }],
    ['campaign_paused', { status: 'paused' as const }],
  ])('staff are told %s (campaign %o)', async (reason, options) => {
    const { coupon } = await makeCoupon(t.db, options);
    const response = await preview(staff, coupon.code);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ redeemable: false, reason });
  });

  it('a coupon of an archived campaign is not redeemable, reason expired', async () => {
    const { campaign, coupon } = await makeCoupon(t.db);
    await t.db
      .updateTable('campaigns')
      .set({ status: 'archived' })
      .where('id', '=', campaign.id)
      .execute();
    const response = await preview(staff, coupon.code);
    expect(response.body).toMatchObject({ redeemable: false, reason: 'expired' });
  });

  it('a coupon of a campaign for other stores is not redeemable here, reason wrong_store, naming those stores', async () => {
    const other = await makeStore(t.db);
    const { coupon } = await makeCoupon(t.db, { storeIds: [other.id] });
    const response = await preview(staff, coupon.code);
    expect(response.body).toMatchObject({
      redeemable: false,
      reason: 'wrong_store',
      validStoreNames: [other.name],
    });
  });

  it('a coupon of a campaign that names the staff member’s store is redeemable there', async () => {
    const other = await makeStore(t.db);
    const { coupon } = await makeCoupon(t.db, { storeIds: [other.id, staffStoreId] });
    const response = await preview(staff, coupon.code);
    expect(response.body).toMatchObject({ redeemable: true, reason: null });
  });

  it('a marketer’s preview is never redeemable, and has no reason when the coupon is fine', async () => {
    const { coupon } = await makeCoupon(t.db);
    const response = await preview(marketer, coupon.code);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ redeemable: false, reason: null });
  });

  it('a marketer’s preview still gives the reason when the coupon is refused anywhere', async () => {
    const { coupon } = await makeCoupon(t.db, { status: 'paused' });
    const response = await preview(marketer, coupon.code);
    expect(response.body).toMatchObject({ redeemable: false, reason: 'campaign_paused' });
  });

  it('an admin’s preview is redeemable for the store they name, and wrong_store for another', async () => {
    const allowed = await makeStore(t.db);
    const other = await makeStore(t.db);
    const { coupon } = await makeCoupon(t.db, { storeIds: [allowed.id] });
    const here = await preview(admin, coupon.code, `?storeId=${allowed.id}`);
    expect(here.body).toMatchObject({ redeemable: true, reason: null });
    const there = await preview(admin, coupon.code, `?storeId=${other.id}`);
    expect(there.body).toMatchObject({ redeemable: false, reason: 'wrong_store' });
    const nowhere = await preview(admin, coupon.code);
    expect(nowhere.body).toMatchObject({ redeemable: false, reason: null });
  });

  it.each([
    ['the display form with dashes', (code: string, display: string) => display],
    ['lower case', (code: string) => code.toLowerCase()],
    [
      'lower-case display form with spaces around',
      (_: string, d: string) => ` ${d.toLowerCase()} `,
    ],
    [
      'a URL ending in the code',
      (_: string, display: string) => `https://cpn.example/c/${display}`,
    ],
  ])('the code is found in %s', async (_, form) => {
    const { coupon } = await makeCoupon(t.db);
    const issued = await t.db
      .selectFrom('coupons')
      .select('code')
      .where('id', '=', coupon.id)
      .executeTakeFirstOrThrow();
    const display = (await preview(staff, issued.code)).body.coupon.displayCode;
    expect(display).toContain('-');
    const response = await preview(staff, form(issued.code, display));
    expect(response.status).toBe(200);
    expect(response.body.coupon.id).toBe(coupon.id);
  });

  it('a well-formed code that was never issued answers 404 not_found', async () => {
    const response = await preview(staff, generateCouponCode());
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ code: 'not_found' });
  });

  it('a code with a wrong check character is refused with 422 invalid_code before any lookup', async () => {
    const { coupon } = await makeCoupon(t.db);
    const response = await preview(staff, withWrongCheckCharacter(coupon.code));
    expect(response.status).toBe(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body).toMatchObject({ code: 'invalid_code' });
  });

  it('a code with characters no code has is refused with 422 invalid_code', async () => {
    const response = await preview(staff, 'AB*CD');
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'invalid_code' });
  });

  it('staff asking about another store are refused with 403 forbidden', async () => {
    const { coupon } = await makeCoupon(t.db);
    const other = await makeStore(t.db);
    const response = await preview(staff, coupon.code, `?storeId=${other.id}`);
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ code: 'forbidden' });
  });
});

describe('voiding a coupon', () => {
  it.each([
    ['a marketer', () => marketer],
    ['an admin', () => admin],
  ])('%s voids a coupon with a reason; it is then voided', async (_, client) => {
    const { coupon } = await makeCoupon(t.db);
    const response = await client().request<Coupon>('POST', `/api/coupons/${coupon.code}/void`, {
      reason: ' printed twice ',
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      id: coupon.id,
      status: 'voided',
      voidReason: 'printed twice',
    });
    expect(response.body.voidedAt).not.toBeNull();
    const refused = await staff.redeem(coupon.code);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'voided' });
  });

  it.each([
    ['no reason', {}],
    ['an empty reason', { reason: '' }],
    ['a reason of only spaces', { reason: '   ' }],
  ])('a void with %s is refused with 422 validation_failed', async (_, body) => {
    const { coupon } = await makeCoupon(t.db);
    const response = await marketer.request<Problem>(
      'POST',
      `/api/coupons/${coupon.code}/void`,
      body,
    );
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'validation_failed' });
    expect(new Set(response.body.errors?.map((e) => e.pointer))).toEqual(new Set(['/body/reason']));
    const row = await t.db
      .selectFrom('coupons')
      .select('voided_at')
      .where('id', '=', coupon.id)
      .executeTakeFirstOrThrow();
    expect(row.voided_at).toBeNull();
  });

  it('voiding a voided coupon again is refused with 409 conflict and keeps the first reason', async () => {
    const { coupon } = await makeCoupon(t.db);
    await marketer.request('POST', `/api/coupons/${coupon.code}/void`, { reason: 'first' });
    const second = await marketer.request('POST', `/api/coupons/${coupon.code}/void`, {
      reason: 'second',
    });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ code: 'conflict' });
    const row = await t.db
      .selectFrom('coupons')
      .select('void_reason')
      .where('id', '=', coupon.id)
      .executeTakeFirstOrThrow();
    expect(row.void_reason).toBe('first');
  });

  it('staff cannot void a coupon: 403 forbidden', async () => {
    const { coupon } = await makeCoupon(t.db);
    const response = await staff.request('POST', `/api/coupons/${coupon.code}/void`, {
      reason: 'nope',
    });
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ code: 'forbidden' });
  });

  it('voiding a code that was never issued answers 404 not_found', async () => {
    const response = await marketer.request('POST', `/api/coupons/${generateCouponCode()}/void`, {
      reason: 'x',
    });
    expect(response.status).toBe(404);
  });

  it('voiding a code with a wrong check character answers 422 invalid_code', async () => {
    const { coupon } = await makeCoupon(t.db);
    const response = await marketer.request(
      'POST',
      `/api/coupons/${withWrongCheckCharacter(coupon.code)}/void`,
      { reason: 'x' },
    );
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'invalid_code' });
  });
});
