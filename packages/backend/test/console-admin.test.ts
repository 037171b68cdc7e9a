// What the console's lists and administration screens need from the API: stores with
// time zones, campaign search with figures, coupon code search, ledger filters, batches at work.
import type { BatchListItem } from '@couponscan/shared/batches';
import type { CampaignListItem } from '@couponscan/shared/campaigns';
import type { Page } from '@couponscan/shared/common';
import type { Coupon } from '@couponscan/shared/coupons';
import type { LedgerEntry } from '@couponscan/shared/redemptions';
import type { Store } from '@couponscan/shared/stores';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poolOf, type DB } from '../src/db/database.ts';
import { issueCoupons, listCoupons } from '../src/modules/coupons/coupons.service.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';
import {
  getRaw,
  loggedIn,
  makeCampaign,
  makeStore,
  makeUser,
  type ApiClient,
} from './helpers/factories.ts';

let t: TestApp;
let admin: ApiClient;
let marketer: ApiClient;

beforeAll(async () => {
  t = await createTestApp();
  admin = await loggedIn(t.app, (await makeUser(t.db, 'admin')).email);
  marketer = await loggedIn(t.app, (await makeUser(t.db, 'marketer')).email);
});
afterAll(() => t.close());

describe('stores', () => {
  it('are created in UTC unless told a time zone, and admins rename them and change the zone', async () => {
    const created = await admin.request<Store>('POST', '/api/stores', {
      code: 'tz-1',
      name: 'Quay',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ code: 'TZ-1', name: 'Quay', timeZone: 'UTC' });

    const renamed = await admin.request<Store>('PATCH', `/api/stores/${created.body.id}`, {
      name: '  Quay Street ',
      timeZone: 'Europe/Athens',
    });

    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({
      id: created.body.id,
      code: 'TZ-1',
      name: 'Quay Street',
      timeZone: 'Europe/Athens',
    });
  });

  it('refuses an unknown time zone with 422 validation_failed at /body/timeZone', async () => {
    const response = await admin.request('POST', '/api/stores', {
      code: 'tz-2',
      name: 'Nowhere',
      timeZone: 'Europe/Atlantis',
    });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({
      code: 'validation_failed',
      errors: [{ pointer: '/body/timeZone' }],
    });
  });

  it('answers 404 for an unknown store and 403 for a marketer', async () => {
    expect(
      (await admin.request('PATCH', `/api/stores/${randomUUID()}`, { name: 'x' })).status,
    ).toBe(404);
    const store = await makeStore(t.db);
    const refused = await marketer.request('PATCH', `/api/stores/${store.id}`, { name: 'x' });
    expect(refused.status).toBe(403);
  });
});

describe('campaign list', () => {
  it('searches names ignoring case, with counts and the redemption rate', async () => {
    const store = await makeStore(t.db);
    const staffUser = await makeUser(t.db, 'staff', { storeId: store.id });
    const staff = await loggedIn(t.app, staffUser.email);
    const easter = await makeCampaign(t.db, { name: 'Easter 100% Brunch' });
    await makeCampaign(t.db, { name: 'Christmas' });
    const coupons = await issueCoupons(t.db, easter.id, 4);
    expect((await staff.redeem(coupons[0]?.code ?? '')).status).toBe(201);

    const response = await marketer.request<Page<CampaignListItem>>(
      'GET',
      '/api/campaigns?q=easter',
    );

    expect(response.status).toBe(200);
    expect(response.body.items).toHaveLength(1);
    expect(response.body.items[0]).toMatchObject({
      id: easter.id,
      counts: { issued: 4, redeemed: 1, voided: 0, redemptions: 1 },
      redemptionRate: 0.25,
    });
    // LIKE's wildcards are taken literally
    const percent = await marketer.request<Page<CampaignListItem>>('GET', '/api/campaigns?q=0%25');
    expect(percent.body.items.map((c) => c.id)).toEqual([easter.id]);
    const none = await marketer.request<Page<CampaignListItem>>('GET', '/api/campaigns?q=_aster');
    expect(none.body.items).toEqual([]);
  });

  it('gives a campaign without coupons a null rate, and filters by status across pages', async () => {
    const paused = [
      await makeCampaign(t.db, { name: 'Paused one', status: 'paused' }),
      await makeCampaign(t.db, { name: 'Paused two', status: 'paused' }),
      await makeCampaign(t.db, { name: 'Paused three', status: 'paused' }),
    ];

    const first = await marketer.request<Page<CampaignListItem>>(
      'GET',
      '/api/campaigns?status=paused&limit=2',
    );
    const second = await marketer.request<Page<CampaignListItem>>(
      'GET',
      `/api/campaigns?status=paused&limit=2&cursor=${first.body.nextCursor ?? ''}`,
    );

    expect([...first.body.items, ...second.body.items].map((c) => c.id)).toEqual(
      paused.map((c) => c.id).reverse(),
    );
    expect(second.body.nextCursor).toBeNull();
    expect(first.body.items[0]).toMatchObject({ redemptionRate: null, counts: { issued: 0 } });
  });
});

describe("a campaign's coupons", () => {
  it('are found by the start of their code, typed any way a person types it', async () => {
    const campaign = await makeCampaign(t.db);
    const [wanted, other] = await issueCoupons(t.db, campaign.id, 2);
    if (!wanted || !other) throw new Error('coupons missing');
    // lower case, a dash, and O read as 0
    const typed = `${wanted.code.slice(0, 4)}-${wanted.code.slice(4, 7)}`
      .toLowerCase()
      .replace(/0/g, 'o');

    const response = await marketer.request<Page<Coupon>>(
      'GET',
      `/api/campaigns/${campaign.id}/coupons?q=${encodeURIComponent(typed)}`,
    );

    expect(response.status).toBe(200);
    expect(response.body.items.map((c) => c.id)).toEqual([wanted.id]);
    const bad = await marketer.request('GET', `/api/campaigns/${campaign.id}/coupons?q=%24%24`);
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({ errors: [{ pointer: '/querystring/q' }] });
  });

  it('a search is a prefix search: codes starting with it, also when the prefix ends in 9 or Z', async () => {
    const campaign = await makeCampaign(t.db);
    const codes = ['AB9Z', 'AB90', 'ABA0', 'ABZ1', 'ABZZ', 'AC00', 'XAB9'];
    await t.db
      .insertInto('coupons')
      .values(codes.map((code) => ({ campaign_id: campaign.id, code, max_redemptions: 1 })))
      .execute();
    const found = async (q: string) => {
      const response = await marketer.request<Page<Coupon>>(
        'GET',
        `/api/campaigns/${campaign.id}/coupons?q=${q}`,
      );
      return response.body.items.map((c) => c.code).sort();
    };
    expect(await found('AB9')).toEqual(['AB90', 'AB9Z']);
    expect(await found('ABZ')).toEqual(['ABZ1', 'ABZZ']);
    expect(await found('AB')).toEqual(['AB90', 'AB9Z', 'ABA0', 'ABZ1', 'ABZZ']);
    expect(await found('B')).toEqual([]);
  });

  it('the search and the pages read indexes, never every coupon of the campaign', async () => {
    const campaign = await makeCampaign(t.db);
    await issueCoupons(t.db, campaign.id, 2_000);
    await sql`analyze coupons`.execute(t.db);
    // the queries the service runs, captured with their parameters and explained
    const queries: { sql: string; parameters: readonly unknown[] }[] = [];
    const traced = new Kysely<DB>({
      dialect: new PostgresDialect({ pool: poolOf(t.db) }),
      log: (event) => {
        if (event.level === 'query') queries.push(event.query);
      },
    });
    await listCoupons(traced, campaign.id, { q: 'ab-c' });
    await listCoupons(traced, campaign.id, {});
    const [search, page] = queries.filter((q) => q.sql.includes('from "coupons"'));
    if (search === undefined || page === undefined) throw new Error('queries not captured');

    const plan = (query: { sql: string; parameters: readonly unknown[] }, noSort = false) =>
      t.db.transaction().execute(async (trx) => {
        // a table this small is cheaper to read whole; the question is whether an index can
        // serve the query (a plan that needs a sort or a full read keeps it, at a penalty)
        await sql`set local enable_seqscan = off`.execute(trx);
        if (noSort) {
          await sql`set local enable_sort = off`.execute(trx);
          await sql`set local enable_bitmapscan = off`.execute(trx);
        }
        // with the values in place, as PostgreSQL plans Kysely's unnamed statements
        const { rows } = await sql<{ 'QUERY PLAN': string }>`explain ${sql.raw(
          query.sql.replace(/\$(\d+)/g, (_, n: string) => {
            const value = query.parameters[Number(n) - 1];
            return typeof value === 'number' ? String(value) : `'${String(value)}'`;
          }),
        )}`.execute(trx);
        return rows.map((row) => row['QUERY PLAN']).join('\n');
      });

    const searchPlan = await plan(search);
    expect(searchPlan).toContain('coupons_campaign_code_prefix_idx');
    expect(searchPlan).toMatch(/Index Cond: .*code ~>=~ 'ABC'.*code ~<~ 'ABD'/s);
    const pagePlan = await plan(page, true);
    expect(pagePlan).toContain('coupons_campaign_created_at_idx');
    expect(pagePlan).not.toContain('Sort');
  });
});

describe('the ledger', () => {
  it('filters by staff member and by coupon, in the list and the CSV', async () => {
    const store = await makeStore(t.db);
    const ann = await makeUser(t.db, 'staff', { storeId: store.id, name: 'Ann' });
    const bob = await makeUser(t.db, 'staff', { storeId: store.id, name: 'Bob' });
    const campaign = await makeCampaign(t.db, { maxRedemptionsPerCoupon: 5 });
    const [coupon, other] = await issueCoupons(t.db, campaign.id, 2);
    if (!coupon || !other) throw new Error('coupons missing');
    const annClient = await loggedIn(t.app, ann.email);
    const bobClient = await loggedIn(t.app, bob.email);
    await annClient.redeem(coupon.code);
    await bobClient.redeem(coupon.code);
    await bobClient.redeem(other.code);

    const byBob = await admin.request<Page<LedgerEntry>>(
      'GET',
      `/api/redemptions?campaignId=${campaign.id}&userId=${bob.id}`,
    );
    const ofCoupon = await marketer.request<Page<LedgerEntry>>(
      'GET',
      `/api/redemptions?couponId=${coupon.id}`,
    );
    const csv = await getRaw(t.app, admin, `/api/redemptions.csv?userId=${ann.id}`);

    expect(byBob.body.items.map((e) => [e.userName, e.couponId])).toEqual([
      ['Bob', other.id],
      ['Bob', coupon.id],
    ]);
    expect(ofCoupon.body.items.map((e) => e.userName)).toEqual(['Bob', 'Ann']);
    expect(csv.status).toBe(200);
    const lines = csv.text.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(ann.email);
  });
});

describe('GET /api/batches', () => {
  it("lists the batches still at work across campaigns, with their campaign's name", async () => {
    const campaign = await makeCampaign(t.db, { name: 'Big print run' });
    const insert = (status: 'queued' | 'running' | 'succeeded') =>
      t.db
        .insertInto('batches')
        .values({ campaign_id: campaign.id, count: 50_000, status })
        .returning('id')
        .executeTakeFirstOrThrow();
    const queued = await insert('queued');
    const running = await insert('running');
    await insert('succeeded');

    const response = await marketer.request<Page<BatchListItem>>(
      'GET',
      '/api/batches?status=queued,running',
    );

    expect(response.status).toBe(200);
    expect(response.body.items.map((b) => [b.id, b.status, b.campaignName])).toEqual([
      [running.id, 'running', 'Big print run'],
      [queued.id, 'queued', 'Big print run'],
    ]);
    const all = await marketer.request<Page<BatchListItem>>(
      'GET',
      `/api/batches?campaignId=${campaign.id}`,
    );
    expect(all.body.items).toHaveLength(3);
    const bad = await marketer.request('GET', '/api/batches?status=sleeping');
    expect(bad.status).toBe(422);
  });
});
