// CSV exports: streamed from PostgreSQL with a header row, RFC 4180 quoting and UTF-8,
// and they round-trip through a CSV parser.
import { once } from 'node:events';
import { formatCouponCode } from '@couponscan/shared/code';
import { COUPONS_CSV_COLUMNS, REDEMPTIONS_CSV_COLUMNS } from '@couponscan/shared/exports';
import type { RedemptionSuccess } from '@couponscan/shared/redemptions';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCoupons } from '../src/modules/coupons/coupons.service.ts';
import { poolOf } from '../src/db/database.ts';
import { copyQueryToCsv } from '../src/lib/copy-csv.ts';
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
let marketer: ApiClient;

beforeAll(async () => {
  t = await createTestApp();
  marketer = await loggedIn(t.app, (await makeUser(t.db, 'marketer')).email);
});
afterAll(() => t.close());

async function download(client: ApiClient | null, url: string) {
  const response = await getRaw(t.app, client, url);
  return { ...response, rows: response.status === 200 ? parse(response.text) : [] };
}

/** Rows after the header, as objects keyed by the header. */
function records(rows: string[][]): Record<string, string>[] {
  const [header, ...rest] = rows;
  return rest.map((row) =>
    Object.fromEntries((header ?? []).map((name, i) => [name, row[i] ?? ''])),
  );
}

describe('GET /api/campaigns/:id/coupons.csv', () => {
  it('exports every coupon with a header row, and the file parses back to what the database holds', async () => {
    const campaign = await makeCampaign(t.db);
    const created = await marketer.request<{ id: string }>(
      'POST',
      `/api/campaigns/${campaign.id}/batches`,
      { count: 5000, prefix: 'CSV' },
    );
    await issueCoupons(t.db, campaign.id, 3);

    const csv = await download(marketer, `/api/campaigns/${campaign.id}/coupons.csv`);

    expect(csv.status).toBe(200);
    expect(csv.type).toBe('text/csv; charset=utf-8');
    expect(csv.disposition).toBe(`attachment; filename="coupons-${campaign.id}.csv"`);
    expect(csv.rows[0]).toEqual([...COUPONS_CSV_COLUMNS]);
    const exported = records(csv.rows);
    const stored = await t.db
      .selectFrom('coupons')
      .selectAll()
      .where('campaign_id', '=', campaign.id)
      .execute();
    expect(exported).toHaveLength(5003);
    expect(new Set(exported.map((r) => r.code))).toEqual(new Set(stored.map((c) => c.code)));
    const byCode = new Map(stored.map((c) => [c.code, c]));
    for (const row of exported) {
      const coupon = byCode.get(row.code ?? '');
      expect(row).toEqual({
        code: coupon?.code,
        display_code: formatCouponCode(row.code ?? ''),
        status: 'active',
        redemption_count: '0',
        max_redemptions: '1',
        batch_id: coupon?.batch_id ?? '',
        created_at: coupon?.created_at.toISOString(),
        voided_at: '',
      });
    }
    expect(exported.filter((r) => r.batch_id === created.body.id)).toHaveLength(5000);
  });

  it('?status=unused leaves out redeemed and voided coupons; ?status=voided has only those', async () => {
    const store = await makeStore(t.db);
    const staff = await loggedIn(
      t.app,
      (await makeUser(t.db, 'staff', { storeId: store.id })).email,
    );
    const campaign = await makeCampaign(t.db, { maxRedemptionsPerCoupon: 2 });
    const [used, voided, fresh] = await issueCoupons(t.db, campaign.id, 3);
    expect((await staff.redeem(used?.code ?? '')).status).toBe(201);
    const voiding = await marketer.request('POST', `/api/coupons/${voided?.code ?? ''}/void`, {
      reason: 'printed twice',
    });
    expect(voiding.status).toBe(200);

    const unused = records(
      (await download(marketer, `/api/campaigns/${campaign.id}/coupons.csv?status=unused`)).rows,
    );
    expect(unused.map((r) => r.code)).toEqual([fresh?.code]);

    const active = records(
      (await download(marketer, `/api/campaigns/${campaign.id}/coupons.csv?status=active`)).rows,
    );
    expect(active.map((r) => r.code).sort()).toEqual([used?.code, fresh?.code].sort());
    expect(active.find((r) => r.code === used?.code)).toMatchObject({
      status: 'active',
      redemption_count: '1',
      max_redemptions: '2',
    });

    const onlyVoided = records(
      (await download(marketer, `/api/campaigns/${campaign.id}/coupons.csv?status=voided`)).rows,
    );
    expect(onlyVoided).toHaveLength(1);
    expect(onlyVoided[0]).toMatchObject({ code: voided?.code, status: 'voided' });
    expect(onlyVoided[0]?.voided_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('an empty campaign exports just the header', async () => {
    const campaign = await makeCampaign(t.db);
    const csv = await download(marketer, `/api/campaigns/${campaign.id}/coupons.csv`);
    expect(csv.text).toBe(`${COUPONS_CSV_COLUMNS.join(',')}\n`);
  });
});

describe('GET /api/redemptions.csv', () => {
  it('exports the ledger with store and staff names, quoting commas, quotes, line breaks and UTF-8 correctly', async () => {
    const storeName = 'Café "Zur Ecke", Köln\nNord 🛒';
    const staffName = "Zoë O'Brien, Jr.";
    const store = await makeStore(t.db, storeName);
    const staffUser = await makeUser(t.db, 'staff', { storeId: store.id, name: staffName });
    const staff = await loggedIn(t.app, staffUser.email);
    const campaign = await makeCampaign(t.db, { name: 'Spring, "big" sale' });
    const [first, second] = await issueCoupons(t.db, campaign.id, 2);
    const redeemed = await staff.redeem(first?.code ?? '');
    expect(redeemed.status).toBe(201);
    expect((await staff.redeem(second?.code ?? '')).status).toBe(201);
    const redemption = (redeemed.body as unknown as RedemptionSuccess).redemption;
    const reversal = await staff.request<{ id: string }>(
      'POST',
      `/api/redemptions/${redemption.id}/reversal`,
      { reason: 'wrong item, "sorry"\nsecond line' },
    );
    expect(reversal.status).toBe(201);

    const csv = await download(marketer, `/api/redemptions.csv?campaignId=${campaign.id}`);

    expect(csv.status).toBe(200);
    expect(csv.type).toBe('text/csv; charset=utf-8');
    expect(csv.rows[0]).toEqual([...REDEMPTIONS_CSV_COLUMNS]);
    const ledger = records(csv.rows);
    expect(ledger).toHaveLength(3);
    expect(ledger.map((r) => r.kind)).toEqual(['redemption', 'redemption', 'reversal']);
    for (const row of ledger) {
      expect(row).toMatchObject({
        campaign_id: campaign.id,
        campaign_name: 'Spring, "big" sale',
        store_code: store.code,
        store_name: storeName,
        staff_name: staffName,
        staff_email: staffUser.email,
      });
    }
    expect(ledger[0]).toMatchObject({
      id: redemption.id,
      code: first?.code,
      reversed_by_id: reversal.body.id,
      reason: '',
    });
    expect(ledger[2]).toMatchObject({
      id: reversal.body.id,
      reverses_id: redemption.id,
      reason: 'wrong item, "sorry"\nsecond line',
    });
  });

  it('filters by store and time range', async () => {
    const store = await makeStore(t.db);
    const staff = await loggedIn(
      t.app,
      (await makeUser(t.db, 'staff', { storeId: store.id })).email,
    );
    const campaign = await makeCampaign(t.db);
    const [coupon] = await issueCoupons(t.db, campaign.id, 1);
    expect((await staff.redeem(coupon?.code ?? '')).status).toBe(201);

    const inStore = records(
      (await download(marketer, `/api/redemptions.csv?storeId=${store.id}`)).rows,
    );
    expect(inStore.map((r) => r.code)).toEqual([coupon?.code]);
    const future = new Date(Date.now() + 3600_000).toISOString();
    const later = await download(
      marketer,
      `/api/redemptions.csv?storeId=${store.id}&from=${encodeURIComponent(future)}`,
    );
    expect(later.rows).toHaveLength(1);
  });
});

describe('streaming', () => {
  it('a download abandoned half-way ends its COPY and gives the connection back', async () => {
    // ten million rows: far more than any buffer between PostgreSQL and the reader holds
    const query = t.db
      .selectFrom(sql<{ s: number }>`generate_series(1, 10000000)`.as('s'))
      .select(sql<string>`repeat('x', 50)`.as('padding'));
    const csv = await copyQueryToCsv(t.db, query.compile());
    const [first] = (await once(csv, 'data')) as Buffer[];
    expect(first?.toString('utf8').startsWith('padding\n')).toBe(true);
    csv.destroy();

    const pool = poolOf(t.db);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const copies = await t.db
        .selectFrom(
          sql<{ query: string; datname: string; state: string }>`pg_stat_activity`.as('a'),
        )
        .select('query')
        .where('datname', '=', sql<string>`current_database()`)
        .where('query', 'like', 'copy (%')
        .where('state', '=', 'active')
        .execute();
      if (copies.length === 0 && pool.waitingCount === 0 && pool.idleCount === pool.totalCount)
        break;
      if (Date.now() > deadline) throw new Error(`the COPY is still running: ${copies.length}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  });
});

describe('who may export', () => {
  it('staff get 403 and nobody without a session 401, as problem+json; an unknown campaign is 404', async () => {
    const campaign = await makeCampaign(t.db);
    const staff = await loggedIn(t.app, (await makeUser(t.db, 'staff')).email);
    for (const url of [`/api/campaigns/${campaign.id}/coupons.csv`, '/api/redemptions.csv']) {
      const forbidden = await download(staff, url);
      expect(forbidden.status).toBe(403);
      expect(forbidden.type).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(forbidden.text)).toMatchObject({ code: 'forbidden' });
      const anonymous = await download(null, url);
      expect(anonymous.status).toBe(401);
      expect(JSON.parse(anonymous.text)).toMatchObject({ code: 'unauthenticated' });
    }
    const admin = await loggedIn(t.app, (await makeUser(t.db, 'admin')).email);
    expect((await download(admin, '/api/redemptions.csv')).status).toBe(200);
    const missing = await download(
      marketer,
      '/api/campaigns/00000000-0000-4000-8000-000000000000/coupons.csv',
    );
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text)).toMatchObject({ code: 'not_found' });
  });

  it('an unknown status filter is 422 validation_failed', async () => {
    const campaign = await makeCampaign(t.db);
    const response = await download(
      marketer,
      `/api/campaigns/${campaign.id}/coupons.csv?status=nope`,
    );
    expect(response.status).toBe(422);
    expect(JSON.parse(response.text)).toMatchObject({ code: 'validation_failed' });
  });
});
