// /api/campaigns: the discount shapes, validity windows and stores a campaign may have, its
// counts, and changes to it (status, stores, name).
import type { Campaign, CampaignDetail } from '@couponscan/shared/campaigns';
import type { Page } from '@couponscan/shared/common';
import type { Coupon } from '@couponscan/shared/coupons';
import type { Problem } from '@couponscan/shared/errors';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/app.ts';
import {
  loggedIn,
  makeCampaign,
  makeStore,
  makeUser,
  type ApiClient,
} from './helpers/factories.ts';

let t: TestApp;
let marketer: ApiClient;
let admin: ApiClient;

beforeAll(async () => {
  t = await createTestApp();
  marketer = await loggedIn(t.app, (await makeUser(t.db, 'marketer')).email);
  admin = await loggedIn(t.app, (await makeUser(t.db, 'admin')).email);
});
afterAll(() => t.close());

const percentOff = { type: 'percent', value: 15, description: '15% off' };

function pointers(body: Problem): string[] {
  return (body.errors ?? []).map((e) => e.pointer);
}

describe('creating campaigns', () => {
  it('a marketer creates a campaign: defaults are one redemption per coupon, every store, active', async () => {
    const response = await marketer.request<Campaign>('POST', '/api/campaigns', {
      name: ' Spring sale ',
      discount: percentOff,
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      name: 'Spring sale',
      discount: { type: 'percent', value: 15, currency: null, description: '15% off' },
      maxRedemptionsPerCoupon: 1,
      validFrom: null,
      validUntil: null,
      timeZone: 'UTC',
      storeIds: [],
      status: 'active',
    });
  });

  it('an admin creates a campaign with every field set', async () => {
    const [a, b] = [await makeStore(t.db), await makeStore(t.db)];
    const body = {
      name: 'Lunch deal',
      discount: { type: 'fixed_amount', value: 19.99, currency: 'EUR', description: 'Lunch' },
      maxRedemptionsPerCoupon: 3,
      validFrom: '2030-01-01T00:00:00.000Z',
      validUntil: '2030-02-01T00:00:00.000Z',
      timeZone: 'Europe/Berlin',
      storeIds: [a.id, b.id],
    };
    const response = await admin.request<Campaign>('POST', '/api/campaigns', body);
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      ...body,
      discount: { ...body.discount, value: 19.99 },
      storeIds: [a.id, b.id].sort(),
    });
  });

  it.each([
    ['a free item', { type: 'free_item', description: 'A coffee' }],
    ['a percentage of exactly 100', { type: 'percent', value: 100 }],
    ['a fixed amount with two decimals', { type: 'fixed_amount', value: 0.29, currency: 'USD' }],
    ['a price like 19.99', { type: 'fixed_amount', value: 19.99, currency: 'EUR' }],
    ['a whole fixed amount', { type: 'fixed_amount', value: 5, currency: 'GBP' }],
  ])('%s is a valid discount', async (_, discount) => {
    const response = await marketer.request('POST', '/api/campaigns', { name: 'ok', discount });
    expect(response.status).toBe(201);
  });

  it.each([
    ['a percentage above 100', { type: 'percent', value: 100.5 }, ['/body/discount/value']],
    ['a percentage without a value', { type: 'percent' }, ['/body/discount/value']],
    ['a percentage of 0', { type: 'percent', value: 0 }, ['/body/discount/value']],
    [
      'a percentage with a currency',
      { type: 'percent', value: 10, currency: 'EUR' },
      ['/body/discount/currency'],
    ],
    [
      'a fixed amount without a currency',
      { type: 'fixed_amount', value: 5 },
      ['/body/discount/currency'],
    ],
    [
      'a fixed amount without a value',
      { type: 'fixed_amount', currency: 'EUR' },
      ['/body/discount/value'],
    ],
    [
      'a fixed amount with three decimals',
      { type: 'fixed_amount', value: 5.555, currency: 'EUR' },
      ['/body/discount/value'],
    ],
    ['a free item without a description', { type: 'free_item' }, ['/body/discount/description']],
    [
      'a free item with a description of only spaces',
      { type: 'free_item', description: '   ' },
      ['/body/discount/description'],
    ],
    [
      'a free item with a value and a currency',
      { type: 'free_item', value: 3, currency: 'EUR', description: 'A coffee' },
      ['/body/discount/value', '/body/discount/currency'],
    ],
  ])('%s is refused with 422 validation_failed', async (_, discount, expected) => {
    const response = await marketer.request<Problem>('POST', '/api/campaigns', {
      name: 'bad discount',
      discount,
    });
    expect(response.status).toBe(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body).toMatchObject({ code: 'validation_failed' });
    // the fields pointed at; a `Number | Null` the schema refuses names its field once per branch
    expect([...new Set(pointers(response.body))]).toEqual(expected);
  });

  it.each([
    [
      'a negative amount',
      { name: 'x', discount: { type: 'fixed_amount', value: -1, currency: 'EUR' } },
      '/body/discount/value',
    ],
    [
      'a lower-case currency',
      { name: 'x', discount: { type: 'fixed_amount', value: 1, currency: 'eur' } },
      '/body/discount/currency',
    ],
    ['an unknown discount type', { name: 'x', discount: { type: 'bogo' } }, '/body/discount/type'],
    [
      'a limit of 0 redemptions',
      { name: 'x', discount: percentOff, maxRedemptionsPerCoupon: 0 },
      '/body/maxRedemptionsPerCoupon',
    ],
    ['a name of only spaces', { name: '  ', discount: percentOff }, '/body/name'],
    [
      'a validFrom that is no timestamp',
      { name: 'x', discount: percentOff, validFrom: 'tomorrow' },
      '/body/validFrom',
    ],
    [
      'a storeId that is no uuid',
      { name: 'x', discount: percentOff, storeIds: ['berlin'] },
      '/body/storeIds/0',
    ],
    ['an unknown field', { name: 'x', discount: percentOff, colour: 'red' }, '/body/colour'],
  ])('%s is refused by the schema with 422 validation_failed', async (_, body, pointer) => {
    const response = await marketer.request<Problem>('POST', '/api/campaigns', body);
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'validation_failed' });
    expect(pointers(response.body)).toContain(pointer);
  });

  it.each([
    ['before', '2030-01-02T00:00:00Z', '2030-01-01T00:00:00Z'],
    ['equal to', '2030-01-01T00:00:00Z', '2030-01-01T00:00:00Z'],
  ])('a validUntil %s validFrom is refused with 422 validation_failed', async (_, from, until) => {
    const response = await marketer.request<Problem>('POST', '/api/campaigns', {
      name: 'backwards',
      discount: percentOff,
      validFrom: from,
      validUntil: until,
    });
    expect(response.status).toBe(422);
    expect(pointers(response.body)).toEqual(['/body/validUntil']);
  });

  it('a time zone that does not exist is refused with 422 validation_failed at /body/timeZone; nothing is created', async () => {
    const response = await marketer.request<Problem>('POST', '/api/campaigns', {
      name: 'on Mars',
      discount: percentOff,
      timeZone: 'Mars/Olympus_Mons',
    });
    expect(response.status).toBe(422);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ code: 'validation_failed' });
    expect(pointers(response.body)).toEqual(['/body/timeZone']);
    const rows = await t.db
      .selectFrom('campaigns')
      .select('id')
      .where('name', '=', 'on Mars')
      .execute();
    expect(rows).toHaveLength(0);
  });

  it('a time zone that is not shaped like an IANA name is refused by the schema with 422', async () => {
    const response = await marketer.request<Problem>('POST', '/api/campaigns', {
      name: 'odd zone',
      discount: percentOff,
      timeZone: 'Europe/Berlin; drop table campaigns',
    });
    expect(response.status).toBe(422);
    expect(pointers(response.body)).toContain('/body/timeZone');
  });

  it('the database refuses a campaign time zone that is not shaped like an IANA name', async () => {
    const campaign = await makeCampaign(t.db);
    await expect(
      t.db
        .updateTable('campaigns')
        .set({ time_zone: '../etc/passwd' })
        .where('id', '=', campaign.id)
        .execute(),
    ).rejects.toThrow(/check constraint/);
  });

  it('storeIds naming no store are refused with 422, pointing at each unknown one', async () => {
    const store = await makeStore(t.db);
    const response = await marketer.request<Problem>('POST', '/api/campaigns', {
      name: 'ghost stores',
      discount: percentOff,
      storeIds: [store.id, randomUUID()],
    });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'validation_failed' });
    expect(pointers(response.body)).toEqual(['/body/storeIds/1']);
    const rows = await t.db
      .selectFrom('campaigns')
      .select('id')
      .where('name', '=', 'ghost stores')
      .execute();
    expect(rows).toHaveLength(0);
  });
});

describe('reading campaigns', () => {
  it('walking the pages gives every campaign exactly once; the status filter keeps only that status', async () => {
    const paused = await Promise.all([
      makeCampaign(t.db, { status: 'paused' }),
      makeCampaign(t.db, { status: 'paused' }),
      makeCampaign(t.db, { status: 'paused' }),
    ]);
    await makeCampaign(t.db, { status: 'archived' });
    const all = await t.db
      .selectFrom('campaigns')
      .select('id')
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();

    const walk = async (filter: string) => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
        const page = await marketer.request<Page<Campaign>>(
          'GET',
          `/api/campaigns?limit=2${filter}${query}`,
        );
        expect(page.status).toBe(200);
        ids.push(...page.body.items.map((c) => c.id));
        cursor = page.body.nextCursor;
      } while (cursor !== null && ids.length <= all.length);
      return ids;
    };

    expect(await walk('')).toEqual(all.map((row) => row.id));
    const pausedIds = await walk('&status=paused');
    expect(pausedIds.sort()).toEqual(paused.map((c) => c.id).sort());
  });

  it('an unknown status filter is refused with 422 validation_failed', async () => {
    const response = await marketer.request<Problem>('GET', '/api/campaigns?status=deleted');
    expect(response.status).toBe(422);
    expect(pointers(response.body)).toContain('/querystring/status');
  });

  it('one campaign comes with its issued, redeemed, voided and redemptions counts', async () => {
    const store = await makeStore(t.db);
    const staff = await loggedIn(
      t.app,
      (await makeUser(t.db, 'staff', { storeId: store.id })).email,
    );
    const campaign = await makeCampaign(t.db, { maxRedemptionsPerCoupon: 2 });
    const issued = await marketer.request<{ items: Coupon[] }>(
      'POST',
      `/api/campaigns/${campaign.id}/coupons`,
      { count: 4 },
    );
    const [first, second, third] = issued.body.items;
    if (first === undefined || second === undefined || third === undefined)
      throw new Error('not issued');
    // first: redeemed twice; second: redeemed once; third: voided; the fourth untouched
    expect((await staff.redeem(first.code)).status).toBe(201);
    expect((await staff.redeem(first.code)).status).toBe(201);
    expect((await staff.redeem(second.code)).status).toBe(201);
    const voided = await marketer.request('POST', `/api/coupons/${third.code}/void`, {
      reason: 'misprint',
    });
    expect(voided.status).toBe(200);

    const response = await marketer.request<CampaignDetail>('GET', `/api/campaigns/${campaign.id}`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      id: campaign.id,
      counts: { issued: 4, redeemed: 2, voided: 1, redemptions: 3 },
    });
  });

  it('a campaign without coupons counts zeros', async () => {
    const campaign = await makeCampaign(t.db);
    const response = await admin.request<CampaignDetail>('GET', `/api/campaigns/${campaign.id}`);
    expect(response.body.counts).toEqual({ issued: 0, redeemed: 0, voided: 0, redemptions: 0 });
  });

  it('a campaign that does not exist answers 404 not_found', async () => {
    const response = await marketer.request('GET', `/api/campaigns/${randomUUID()}`);
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ code: 'not_found' });
  });

  it('an id that is not a uuid is refused with 422 validation_failed', async () => {
    const response = await marketer.request<Problem>('GET', '/api/campaigns/spring-sale');
    expect(response.status).toBe(422);
    expect(pointers(response.body)).toContain('/params/id');
  });
});

describe('changing campaigns', () => {
  it.each(['paused', 'archived', 'active'] as const)(
    'a marketer sets the status to %s',
    async (status) => {
      const campaign = await makeCampaign(t.db, {
        status: status === 'active' ? 'paused' : 'active',
      });
      const response = await marketer.request<CampaignDetail>(
        'PATCH',
        `/api/campaigns/${campaign.id}`,
        { status },
      );
      expect(response.status).toBe(200);
      expect(response.body.status).toBe(status);
    },
  );

  it('storeIds replace the stores the campaign is valid in, and [] means every store again', async () => {
    const [a, b, c] = [await makeStore(t.db), await makeStore(t.db), await makeStore(t.db)];
    const campaign = await makeCampaign(t.db, { storeIds: [a.id, b.id] });
    const replaced = await marketer.request<CampaignDetail>(
      'PATCH',
      `/api/campaigns/${campaign.id}`,
      {
        storeIds: [c.id],
      },
    );
    expect(replaced.status).toBe(200);
    expect(replaced.body.storeIds).toEqual([c.id]);
    const cleared = await marketer.request<CampaignDetail>(
      'PATCH',
      `/api/campaigns/${campaign.id}`,
      {
        storeIds: [],
      },
    );
    expect(cleared.body.storeIds).toEqual([]);
  });

  it('a rename changes only the name', async () => {
    const campaign = await makeCampaign(t.db, { validUntil: new Date('2040-01-01T00:00:00Z') });
    const response = await marketer.request<CampaignDetail>(
      'PATCH',
      `/api/campaigns/${campaign.id}`,
      {
        name: 'Renamed',
      },
    );
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      name: 'Renamed',
      status: 'active',
      validUntil: '2040-01-01T00:00:00.000Z',
      discount: { type: 'percent', value: 15 },
    });
  });

  it('a validUntil before the stored validFrom is refused with 422 and changes nothing', async () => {
    const campaign = await makeCampaign(t.db, { validFrom: new Date('2030-06-01T00:00:00Z') });
    const response = await marketer.request<Problem>('PATCH', `/api/campaigns/${campaign.id}`, {
      validUntil: '2030-05-01T00:00:00Z',
      name: 'should not stick',
    });
    expect(response.status).toBe(422);
    expect(pointers(response.body)).toEqual(['/body/validUntil']);
    const row = await t.db
      .selectFrom('campaigns')
      .select(['name', 'valid_until'])
      .where('id', '=', campaign.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ name: campaign.name, valid_until: null });
  });

  it('a time zone change is stored and moves no instant; an unknown zone is 422 and changes nothing', async () => {
    const campaign = await makeCampaign(t.db, { validUntil: new Date('2040-01-01T00:00:00Z') });
    const moved = await marketer.request<CampaignDetail>('PATCH', `/api/campaigns/${campaign.id}`, {
      timeZone: 'America/New_York',
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({
      timeZone: 'America/New_York',
      validUntil: '2040-01-01T00:00:00.000Z',
    });
    const refused = await marketer.request<Problem>('PATCH', `/api/campaigns/${campaign.id}`, {
      timeZone: 'Europe/Atlantis',
      name: 'should not stick',
    });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'validation_failed' });
    expect(pointers(refused.body)).toEqual(['/body/timeZone']);
    const row = await t.db
      .selectFrom('campaigns')
      .select(['name', 'time_zone'])
      .where('id', '=', campaign.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ name: campaign.name, time_zone: 'America/New_York' });
  });

  it('a discount change follows the same shape rules: 422 for a percentage above 100', async () => {
    const campaign = await makeCampaign(t.db);
    const response = await marketer.request<Problem>('PATCH', `/api/campaigns/${campaign.id}`, {
      discount: { type: 'percent', value: 150 },
    });
    expect(response.status).toBe(422);
    expect(pointers(response.body)).toEqual(['/body/discount/value']);
  });

  it('unknown storeIds in a change are refused with 422 validation_failed', async () => {
    const campaign = await makeCampaign(t.db);
    const response = await marketer.request<Problem>('PATCH', `/api/campaigns/${campaign.id}`, {
      storeIds: [randomUUID()],
    });
    expect(response.status).toBe(422);
    expect(pointers(response.body)).toEqual(['/body/storeIds/0']);
  });

  it('an unknown status is refused with 422 validation_failed', async () => {
    const campaign = await makeCampaign(t.db);
    const response = await marketer.request<Problem>('PATCH', `/api/campaigns/${campaign.id}`, {
      status: 'deleted',
    });
    expect(response.status).toBe(422);
    expect(pointers(response.body)).toContain('/body/status');
  });

  it('changing a campaign that does not exist answers 404 not_found', async () => {
    const response = await marketer.request('PATCH', `/api/campaigns/${randomUUID()}`, {
      name: 'x',
    });
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ code: 'not_found' });
  });

  it('changing a campaign by a non-uuid id is refused with 422 validation_failed', async () => {
    const response = await marketer.request<Problem>('PATCH', '/api/campaigns/123', { name: 'x' });
    expect(response.status).toBe(422);
    expect(pointers(response.body)).toContain('/params/id');
  });
});
