// The dashboard's figures (GET /api/stats/overview) and suspicious activity
// (GET /api/stats/suspicious), on ledger rows written at known instants.
import type { Problem } from '@couponscan/shared/errors';
import type { StatsOverview, SuspiciousActivity } from '@couponscan/shared/stats';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { ApiClient, loggedIn, makeCampaign, makeStore, makeUser } from './helpers/factories.ts';
import { issueCoupons } from '../src/modules/coupons/coupons.service.ts';
import { sql } from 'kysely';

let t: TestApp;
let marketer: ApiClient;
let admin: ApiClient;
let staff: ApiClient;
type Row = { id: string };
let harbour: Row;
let market: Row;
let staffX: Row;
let staffY: Row;
let campaignA: Row;
let campaignB: Row;
let dst: Row;
const redemptionIds: Record<string, string> = {};

/** A scan and, when redeemed, its ledger row, at a given instant. */
async function scanAt(
  at: string | Date,
  outcome: string,
  storeId: string,
  userId: string,
  couponId: string | null,
): Promise<string> {
  const { rows } = await sql<{ id: string }>`
    insert into scans (coupon_id, code, outcome, store_id, user_id, created_at)
    values (${couponId}, 'X', ${outcome}, ${storeId}, ${userId}, ${at}) returning id`.execute(t.db);
  return rows[0]?.id ?? '';
}
async function redeemAt(at: string | Date, couponId: string, storeId: string, userId: string) {
  const scanId = await scanAt(at, 'redeemed', storeId, userId, couponId);
  const { rows } = await sql<{ id: string }>`
    insert into transactions (kind, coupon_id, store_id, user_id, scan_id, created_at)
    values ('redemption', ${couponId}, ${storeId}, ${userId}, ${scanId}, ${at}) returning id`.execute(
    t.db,
  );
  return rows[0]?.id ?? '';
}
async function reverseAt(at: string, redemptionId: string, couponId: string, r: Row, u: Row) {
  await sql`
    insert into transactions (kind, coupon_id, store_id, user_id, reverses_id, reverses_kind, reason, created_at)
    values ('reversal', ${couponId}, ${r.id}, ${u.id}, ${redemptionId}, 'redemption', 'test', ${at})`.execute(
    t.db,
  );
}

beforeAll(async () => {
  t = await createTestApp();
  harbour = await makeStore(t.db, 'Harbour');
  market = await makeStore(t.db, 'Market');
  staffX = await makeUser(t.db, 'staff', { storeId: harbour.id, name: 'Xena' });
  staffY = await makeUser(t.db, 'staff', { storeId: market.id, name: 'Yann' });
  marketer = await loggedIn(t.app, (await makeUser(t.db, 'marketer')).email);
  admin = await loggedIn(t.app, (await makeUser(t.db, 'admin')).email);
  staff = await loggedIn(t.app, (await makeUser(t.db, 'staff')).email);

  campaignA = await makeCampaign(t.db, { name: 'Spring' });
  const [a1, a2, a3, a4] = await issueCoupons(t.db, campaignA.id, 4);
  campaignB = await makeCampaign(t.db, { name: 'Summer' });
  const [b1] = await issueCoupons(t.db, campaignB.id, 1);
  if (!a1 || !a2 || !a3 || !a4 || !b1) throw new Error('coupons missing');

  redemptionIds.a1 = await redeemAt('2025-06-10T10:00:00Z', a1.id, harbour.id, staffX.id);
  redemptionIds.a2 = await redeemAt('2025-06-11T10:00:00Z', a2.id, harbour.id, staffX.id);
  await reverseAt('2025-06-11T10:05:00Z', redemptionIds.a2, a2.id, harbour, staffX);
  redemptionIds.a3 = await redeemAt('2025-06-11T12:00:00Z', a3.id, market.id, staffY.id);
  await sql`update coupons set voided_at = now(), void_reason = 'test' where id = ${a4.id}`.execute(
    t.db,
  );
  redemptionIds.b1 = await redeemAt('2025-06-12T09:00:00Z', b1.id, market.id, staffY.id);
  await scanAt('2025-06-10T10:20:00Z', 'already_redeemed', market.id, staffY.id, a1.id);
  await scanAt('2025-06-11T08:00:00Z', 'not_found', harbour.id, staffX.id, null);
  await scanAt('2025-06-11T08:01:00Z', 'invalid_code', harbour.id, staffX.id, null);
  await scanAt('2025-06-11T08:02:00Z', 'not_found', harbour.id, staffX.id, null);

  // Europe/Berlin moves to summer time on 2026-03-29 at 01:00 UTC: that day has 23 hours.
  dst = await makeCampaign(t.db, { name: 'Daylight' });
  const dstCoupons = await issueCoupons(t.db, dst.id, 4);
  const instants = [
    '2026-03-28T22:59:59Z', // Berlin 28 Mar 23:59:59 (CET)
    '2026-03-28T23:00:00Z', // Berlin 29 Mar 00:00 (CET)
    '2026-03-29T21:59:59Z', // Berlin 29 Mar 23:59:59 (CEST)
    '2026-03-29T22:00:00Z', // Berlin 30 Mar 00:00 (CEST)
  ];
  for (const [i, at] of instants.entries()) {
    const coupon = dstCoupons[i];
    if (coupon) await redeemAt(at, coupon.id, harbour.id, staffX.id);
  }
});
afterAll(() => t.close());

async function overview(query: string, client: ApiClient = marketer) {
  return client.request<StatsOverview>('GET', `/api/stats/overview?${query}`);
}

describe('GET /api/stats/overview', () => {
  it("gives a campaign's totals, days, stores, refusals and latest redemptions", async () => {
    const response = await overview(`campaignId=${campaignA.id}&from=2025-06-10&to=2025-06-12`);

    expect(response.status).toBe(200);
    const body = response.body;
    expect(body).toMatchObject({
      campaignId: campaignA.id,
      tz: 'UTC',
      from: '2025-06-10',
      to: '2025-06-12',
    });
    expect(body.totals).toEqual({
      issued: 4,
      redeemed: 2,
      voided: 1,
      redemptions: 2,
      redemptionRate: 0.5,
    });
    expect(body.perDay).toEqual([
      { date: '2025-06-10', redemptions: 1, reversals: 0 },
      { date: '2025-06-11', redemptions: 2, reversals: 1 },
      { date: '2025-06-12', redemptions: 0, reversals: 0 },
    ]);
    expect(body.perStore.map((s) => [s.storeName, s.redemptions])).toEqual([
      ['Harbour', 1],
      ['Market', 1],
    ]);
    expect(body.refusals).toEqual([{ outcome: 'already_redeemed', count: 1 }]);
    expect(body.latest.map((r) => [r.id, r.reversed])).toEqual([
      [redemptionIds.a3, false],
      [redemptionIds.a2, true],
      [redemptionIds.a1, false],
    ]);
    expect(body.latest[0]).toMatchObject({
      campaignName: 'Spring',
      storeName: 'Market',
      userName: 'Yann',
    });
  });

  it('without a campaign sums every campaign, and counts refusals of unknown codes too', async () => {
    const response = await overview('from=2025-06-10&to=2025-06-12&tz=UTC');

    expect(response.status).toBe(200);
    const body = response.body;
    // 4 + 1 + the 4 coupons of the daylight-saving campaign, all redeemed
    expect(body.totals).toEqual({
      issued: 9,
      redeemed: 7,
      voided: 1,
      redemptions: 7,
      redemptionRate: 7 / 9,
    });
    expect(body.perDay.map((d) => d.redemptions)).toEqual([1, 2, 1]);
    expect(body.perStore.map((s) => [s.storeName, s.redemptions])).toEqual([
      ['Market', 2],
      ['Harbour', 1],
    ]);
    expect(body.refusals).toEqual([
      { outcome: 'not_found', count: 2 },
      { outcome: 'already_redeemed', count: 1 },
      { outcome: 'invalid_code', count: 1 },
    ]);
    expect(body.latest[0]?.campaignName).toBe('Daylight');
  });

  it("cuts days at midnight in the viewer's time zone, 23-hour days included", async () => {
    const berlin = await overview(
      `campaignId=${dst.id}&tz=Europe/Berlin&from=2026-03-28&to=2026-03-30`,
    );
    const utc = await overview(`campaignId=${dst.id}&tz=UTC&from=2026-03-28&to=2026-03-30`);

    expect(berlin.body.perDay.map((d) => [d.date, d.redemptions])).toEqual([
      ['2026-03-28', 1],
      ['2026-03-29', 2],
      ['2026-03-30', 1],
    ]);
    expect(utc.body.perDay.map((d) => [d.date, d.redemptions])).toEqual([
      ['2026-03-28', 2],
      ['2026-03-29', 2],
      ['2026-03-30', 0],
    ]);
  });

  it('without from and to covers the last 30 days up to today in the time zone', async () => {
    const response = await overview('tz=Pacific/Kiritimati');

    expect(response.status).toBe(200);
    expect(response.body.perDay).toHaveLength(30);
    expect(response.body.to).toBe(
      new Intl.DateTimeFormat('en-CA', { timeZone: 'Pacific/Kiritimati' }).format(new Date()),
    );
    expect(response.body.perDay.at(-1)?.date).toBe(response.body.to);
  });

  it.each([
    ['tz=Mars/Olympus_Mons', '/querystring/tz'],
    ['tz=../etc/passwd', '/querystring/tz'],
    ['from=2026-02-30&to=2026-03-02', '/querystring/from'],
    ['from=2026-03-02&to=2026-03-01', '/querystring/from'],
    ['from=2024-01-01&to=2026-01-01', '/querystring/from'],
  ])('refuses %s with 422 validation_failed', async (query, pointer) => {
    const response = await overview(query);

    expect(response.status).toBe(422);
    const problem = response.body as unknown as Problem;
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors?.map((e) => e.pointer)).toContain(pointer);
  });

  it('answers 404 not_found for an unknown campaign', async () => {
    const response = await overview(`campaignId=${randomUUID()}`);
    expect(response.status).toBe(404);
    expect((response.body as unknown as Problem).code).toBe('not_found');
  });
});

describe('who may read statistics', () => {
  it.each(['/api/stats/overview', '/api/stats/suspicious'])(
    '%s is for marketers and admins: staff 403, no session 401',
    async (path) => {
      expect((await marketer.request('GET', path)).status).toBe(200);
      expect((await admin.request('GET', path)).status).toBe(200);
      const forbidden = await staff.request('GET', path);
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.code).toBe('forbidden');
      const anonymous = await new ApiClient(t.app).request('GET', path);
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.code).toBe('unauthenticated');
    },
  );
});

describe('GET /api/stats/suspicious', () => {
  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

  it('reports a burst of failed scans by one person at one store, and not scattered ones', async () => {
    const guesser = await makeUser(t.db, 'staff', { storeId: market.id, name: 'Guesser' });
    const careful = await makeUser(t.db, 'staff', { storeId: market.id, name: 'Careful' });
    for (let i = 0; i < 6; i++) {
      await scanAt(
        minutesAgo(30 - i),
        i % 2 ? 'invalid_code' : 'not_found',
        market.id,
        guesser.id,
        null,
      );
    }
    // as many failures, but 30 minutes apart: typos, not guessing
    for (let i = 0; i < 6; i++) {
      await scanAt(minutesAgo(200 - 30 * i), 'not_found', market.id, careful.id, null);
    }

    const response = await marketer.request<SuspiciousActivity>('GET', '/api/stats/suspicious');

    expect(response.status).toBe(200);
    const bursts = response.body.failedScanBursts;
    expect(bursts.map((b) => b.userName)).toEqual(['Guesser']);
    expect(bursts[0]).toMatchObject({
      userId: guesser.id,
      storeId: market.id,
      storeName: 'Market',
      peakFailures: 6,
      notFound: 3,
      invalidCode: 3,
    });
    expect(response.body).toMatchObject({ burstMinutes: 10, minFailures: 5, reuseMinutes: 60 });
  });

  it('reports a coupon refused at another store shortly after its redemption, not at the same store or much later', async () => {
    const campaign = await makeCampaign(t.db, { name: 'Copied' });
    const [copied, sameStore, late] = await issueCoupons(t.db, campaign.id, 3);
    if (!copied || !sameStore || !late) throw new Error('coupons missing');
    const redemptionId = await redeemAt(minutesAgo(20), copied.id, harbour.id, staffX.id);
    const scanId = await scanAt(
      minutesAgo(10),
      'already_redeemed',
      market.id,
      staffY.id,
      copied.id,
    );
    await redeemAt(minutesAgo(20), sameStore.id, harbour.id, staffX.id);
    await scanAt(minutesAgo(10), 'already_redeemed', harbour.id, staffX.id, sameStore.id);
    await redeemAt(minutesAgo(300), late.id, harbour.id, staffX.id);
    await scanAt(minutesAgo(100), 'already_redeemed', market.id, staffY.id, late.id);

    const response = await marketer.request<SuspiciousActivity>(
      'GET',
      `/api/stats/suspicious?campaignId=${campaign.id}`,
    );

    expect(response.status).toBe(200);
    expect(response.body.crossStoreReuse).toHaveLength(1);
    expect(response.body.crossStoreReuse[0]).toMatchObject({
      couponId: copied.id,
      campaignName: 'Copied',
      redemptionId,
      redeemedStoreName: 'Harbour',
      scanId,
      refusedStoreName: 'Market',
      refusedUserName: 'Yann',
      secondsAfter: 600,
    });
  });

  it('answers 404 not_found for an unknown campaign and 422 for a threshold out of range', async () => {
    const unknown = await marketer.request(
      'GET',
      `/api/stats/suspicious?campaignId=${randomUUID()}`,
    );
    expect(unknown.status).toBe(404);
    const bad = await marketer.request('GET', '/api/stats/suspicious?minFailures=1');
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('validation_failed');
  });
});
