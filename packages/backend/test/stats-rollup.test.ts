// The dashboard's pre-aggregated figures (the rollup up to a watermark plus the live tail) equal a
// direct aggregation of the ledger, the refused scans and the coupons: for random data, before the
// rollup has run, with the watermark in the middle of the data, after it caught up, in zones with
// daylight saving and with +5:30, +5:45 and +12:45 offsets, for rows that commit late, and with
// several instances rolling up at once.
import type { CampaignDetail, CampaignListItem } from '@couponscan/shared/campaigns';
import type { Page } from '@couponscan/shared/common';
import type { StatsOverview } from '@couponscan/shared/stats';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../src/db/database.ts';
import { issueCoupons } from '../src/modules/coupons/coupons.service.ts';
import { resetRollup, rollupWatermark } from '../src/modules/stats/stats-rollup.repository.ts';
import { rollUpStatistics } from '../src/modules/stats/stats-rollup.service.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { directOverview } from './helpers/direct-stats.ts';
import {
  loggedIn,
  makeCampaign,
  makeStore,
  makeUser,
  type ApiClient,
} from './helpers/factories.ts';

const SEED = Number(process.env.STATS_ROLLUP_SEED ?? 20261201);
/** Daylight saving, a quarter-hour zone, half-hour zones, a 30-minute DST shift. */
const ZONES = [
  'UTC',
  'Europe/Berlin',
  'America/New_York',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
];
// Europe/Berlin springs forward on 29 March 2026, Lord Howe falls back 30 minutes on 5 April.
const WINDOW_START = Date.parse('2026-03-27T00:00:00Z');
const WINDOW_END = Date.parse('2026-04-07T00:00:00Z');
const FROM = '2026-03-26';
// up to tomorrow (UTC), so that rows made during the test fall inside the range in every zone
const TO = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

let t: TestApp;
let marketer: ApiClient;
let campaignIds: string[] = [];
let storeIds: string[] = [];
let userIds: string[] = [];

/** mulberry32: the same data for the same seed. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = random(SEED);
const pick = <T>(items: readonly T[]): T => {
  const item = items[Math.floor(rand() * items.length)];
  if (item === undefined) throw new Error('nothing to pick');
  return item;
};

/** Instants the buckets must cut right: local midnights of the zones above, and either side. */
function edgyInstants(): Date[] {
  const midnights = [
    '2026-03-28T18:15:00Z', // Kathmandu 29 Mar 00:00
    '2026-03-30T18:30:00Z', // Kolkata 31 Mar 00:00
    '2026-03-28T23:00:00Z', // Berlin 29 Mar 00:00 (CET)
    '2026-03-29T22:00:00Z', // Berlin 30 Mar 00:00 (CEST)
    '2026-04-01T10:15:00Z', // Chatham 1 Apr 23:00 +13:45 … 2 Apr 00:00
    '2026-04-04T13:00:00Z', // Lord Howe 5 Apr 00:00 (+11)
    '2026-04-05T13:30:00Z', // Lord Howe 6 Apr 00:00 (+10:30)
    '2026-04-02T04:00:00Z', // New York 2 Apr 00:00 (EDT)
  ];
  return midnights.flatMap((at) => {
    const ms = Date.parse(at);
    return [ms - 1, ms, ms + 1, ms + 7 * 60_000].map((x) => new Date(x));
  });
}

interface CouponState {
  id: string;
  max: number;
  /** redemption ledger ids not yet reversed, with their store */
  open: { id: string; storeId: string }[];
}

async function insertRedemption(db: Database, at: Date, coupon: CouponState) {
  const storeId = pick(storeIds);
  const { rows } = await sql<{ id: string }>`
    with s as (
      insert into scans (coupon_id, code, outcome, store_id, user_id, created_at)
      values (${coupon.id}, 'X', 'redeemed', ${storeId}, ${pick(userIds)}, ${at})
      returning id, store_id, user_id, created_at)
    insert into transactions (kind, coupon_id, store_id, user_id, scan_id, created_at)
    select 'redemption', ${coupon.id}, s.store_id, s.user_id, s.id, s.created_at from s
    returning id`.execute(db);
  const id = rows[0]?.id;
  if (id === undefined) throw new Error('no ledger row');
  coupon.open.push({ id, storeId });
}

async function insertReversal(db: Database, at: Date, coupon: CouponState) {
  const entry = coupon.open.splice(Math.floor(rand() * coupon.open.length), 1)[0];
  if (entry === undefined) throw new Error('nothing to reverse');
  await sql`
    insert into transactions (kind, coupon_id, store_id, user_id, reverses_id, reverses_kind, reason, created_at)
    values ('reversal', ${coupon.id}, ${entry.storeId}, ${pick(userIds)}, ${entry.id}, 'redemption', 'test', ${at})`.execute(
    db,
  );
}

async function insertRefusal(db: Database, at: Date, coupons: CouponState[]) {
  const outcome = pick(['already_redeemed', 'voided', 'expired', 'not_found', 'invalid_code']);
  const couponId = outcome === 'not_found' || outcome === 'invalid_code' ? null : pick(coupons).id;
  // a look-up is no refusal: these must count nowhere
  const kind = rand() < 0.15 ? 'lookup' : 'redemption';
  await sql`
    insert into scans (coupon_id, code, outcome, store_id, user_id, created_at, kind)
    values (${couponId}, 'X', ${outcome}, ${pick(storeIds)}, ${pick(userIds)}, ${at}, ${kind})`.execute(
    db,
  );
}

/** Random redemptions, reversals and refused scans at the instants given, in time order. */
async function insertLedger(db: Database, coupons: CouponState[], instants: Date[]) {
  for (const at of [...instants].sort((a, b) => a.getTime() - b.getTime())) {
    const roll = rand();
    const coupon = pick(coupons);
    if (roll < 0.2) await insertRefusal(db, at, coupons);
    else if (roll < 0.35 && coupon.open.length > 0) await insertReversal(db, at, coupon);
    else if (coupon.open.length < coupon.max) await insertRedemption(db, at, coupon);
    else await insertRefusal(db, at, coupons);
  }
}

const randomInstants = (n: number, from = WINDOW_START, to = WINDOW_END) =>
  Array.from({ length: n }, () => new Date(from + Math.floor(rand() * (to - from))));

let coupons: CouponState[] = [];

beforeAll(async () => {
  t = await createTestApp();
  marketer = await loggedIn(t.app, (await makeUser(t.db, 'marketer')).email);
  for (let i = 0; i < 3; i++) storeIds.push((await makeStore(t.db, `Store ${i}`)).id);
  for (const storeId of storeIds) userIds.push((await makeUser(t.db, 'staff', { storeId })).id);
  for (const [max, count] of [
    [1, 40],
    [3, 25],
    [2, 15],
  ] as const) {
    const campaign = await makeCampaign(t.db, { maxRedemptionsPerCoupon: max });
    campaignIds.push(campaign.id);
    for (const coupon of await issueCoupons(t.db, campaign.id, count)) {
      coupons.push({ id: coupon.id, max, open: [] });
    }
  }
  // a few voided coupons: the void trigger keeps the count
  await sql`
    update coupons set voided_at = now(), void_reason = 'test'
     where id in (select id from coupons order by code limit 7)`.execute(t.db);
  await insertLedger(t.db, coupons, [...randomInstants(260), ...edgyInstants()]);
});
afterAll(async () => {
  await t.close();
  campaignIds = [];
  storeIds = [];
  userIds = [];
  coupons = [];
});

/** Every scope and zone: the endpoint's figures and the direct aggregation, side by side. */
async function compareEverything() {
  let compared = 0;
  for (const campaignId of [null, ...campaignIds]) {
    for (const tz of ZONES) {
      const query = `tz=${encodeURIComponent(tz)}&from=${FROM}&to=${TO}${campaignId === null ? '' : `&campaignId=${campaignId}`}`;
      const response = await marketer.request<StatsOverview>('GET', `/api/stats/overview?${query}`);
      expect(response.status).toBe(200);
      const direct = await directOverview(t.db, campaignId, tz, FROM, TO);
      const served = {
        totals: response.body.totals,
        perDay: response.body.perDay,
        perStore: response.body.perStore.map((s) => ({
          storeId: s.storeId,
          redemptions: s.redemptions,
        })),
        refusals: response.body.refusals,
      };
      expect(served, `${campaignId ?? 'every campaign'} in ${tz}`).toEqual(direct);
      compared++;
    }
  }
  // the campaign list and a campaign's page carry the same counts
  const list = await marketer.request<Page<CampaignListItem>>('GET', '/api/campaigns?limit=100');
  for (const campaignId of campaignIds) {
    const direct = await directOverview(t.db, campaignId, 'UTC', FROM, TO);
    const { redemptionRate, ...counts } = direct.totals;
    const item = list.body.items.find((i) => i.id === campaignId);
    expect(item?.counts).toEqual(counts);
    expect(item?.redemptionRate).toBe(redemptionRate);
    const detail = await marketer.request<CampaignDetail>('GET', `/api/campaigns/${campaignId}`);
    expect(detail.body.counts).toEqual(counts);
  }
  return compared;
}

/** Direct sums over the ledger and the rollup's sums of the same rows must agree. */
async function expectRollupMatchesLedger(db: Database) {
  const { rows } = await sql<{ rolled: string; direct: string }>`
    select (select coalesce(sum(redemptions), 0) || '/' || coalesce(sum(reversals), 0)
              from stats_ledger_buckets where span = 'day' and campaign_id is null) as rolled,
           (select count(*) filter (where kind = 'redemption') || '/' || count(*) filter (where kind = 'reversal')
              from transactions, stats_rollup_state s where created_at < s.watermark) as direct`.execute(
    db,
  );
  expect(rows[0]?.rolled).toBe(rows[0]?.direct);
}

describe('the dashboard figures equal a direct aggregation', () => {
  it('before the rollup has run (everything is the live tail)', async () => {
    expect(await rollupWatermark(t.db)).toBeNull();
    expect(await compareEverything()).toBe(28);
  });

  it('with the watermark inside the data, off any bucket boundary (the tail split across it)', async () => {
    for (const until of ['2026-03-28T18:14:59.999Z', '2026-04-01T10:22:31.417Z']) {
      await rollUpStatistics(t.bulkDb, { until: new Date(until) });
      expect((await rollupWatermark(t.db))?.toISOString()).toBe(until);
      await expectRollupMatchesLedger(t.db);
      await compareEverything();
    }
  });

  it('after the rollup has caught up, and again after more rows came in', async () => {
    await rollUpStatistics(t.bulkDb);
    expect((await rollupWatermark(t.db))?.getTime()).toBeGreaterThan(WINDOW_END);
    await expectRollupMatchesLedger(t.db);
    await compareEverything();

    // rows made a moment ago: the live tail, then rolled up with no lag
    const now = Date.now();
    await insertLedger(t.db, coupons, randomInstants(40, now - 50_000, now - 1_000));
    // and a voided coupon: its campaign's count follows at once
    await sql`
      update coupons set voided_at = now(), void_reason = 'test'
       where id = (select id from coupons where voided_at is null order by code desc limit 1)`.execute(
      t.db,
    );
    await compareEverything();
    await rollUpStatistics(t.bulkDb, { lagSeconds: 0 });
    await expectRollupMatchesLedger(t.db);
    await compareEverything();
  });

  it('a ledger row inserted with an old created_at before the job runs is counted', async () => {
    const watermark = await rollupWatermark(t.db);
    if (watermark === null) throw new Error('the rollup has not run');
    // older than now, not older than the watermark: written before the job's next run
    const coupon = coupons.find((c) => c.open.length < c.max);
    if (coupon === undefined) throw new Error('no coupon left to redeem');
    await insertRedemption(t.db, new Date(watermark.getTime() + 1), coupon);
    await compareEverything();

    await rollUpStatistics(t.bulkDb, { lagSeconds: 0 });
    expect((await rollupWatermark(t.db))?.getTime()).toBeGreaterThan(watermark.getTime() + 1);
    await expectRollupMatchesLedger(t.db);
    await compareEverything();
  });

  it('a redemption whose transaction is still open when the job runs is counted once it commits', async () => {
    const coupon = coupons.find((c) => c.open.length < c.max);
    if (coupon === undefined) throw new Error('no coupon left to redeem');
    const client = new pg.Client({ connectionString: t.database.url });
    await client.connect();
    try {
      // like redeem_coupon(): created_at is clock_timestamp() inside the transaction
      await client.query('begin');
      const inserted = await client.query<{ id: string }>(
        `with s as (
           insert into scans (coupon_id, code, outcome, store_id, user_id, created_at)
           values ($1, 'X', 'redeemed', $2, $3, clock_timestamp())
           returning id, store_id, user_id, created_at)
         insert into transactions (kind, coupon_id, store_id, user_id, scan_id, created_at)
         select 'redemption', $1, s.store_id, s.user_id, s.id, s.created_at from s
         returning id`,
        [coupon.id, storeIds[0], userIds[0]],
      );
      coupon.open.push({ id: inserted.rows[0]?.id ?? '', storeId: storeIds[0] ?? '' });
      // no lag at all: only the open transaction holds the watermark back
      await rollUpStatistics(t.bulkDb, { lagSeconds: 0 });
      await client.query('commit');
    } finally {
      await client.end();
    }
    await compareEverything();
    await rollUpStatistics(t.bulkDb, { lagSeconds: 0 });
    await expectRollupMatchesLedger(t.db);
    await compareEverything();
  });
});

describe('rolling up from several instances at once', () => {
  let instances: Database[] = [];
  beforeAll(() => {
    instances = Array.from({ length: 4 }, () => createDatabase(t.database.url, 2));
  });
  afterAll(async () => {
    await Promise.all(instances.map((db) => db.destroy()));
  });

  it('counts every row once', async () => {
    // start over: the whole history is rolled up again, by four instances racing each other
    await t.db.transaction().execute(resetRollup);
    // each instance steps the watermark forward two hours at a time, all at once
    const step = 2 * 3_600_000;
    await Promise.all(
      instances.map(async (db) => {
        for (let until = WINDOW_START; until <= WINDOW_END; until += step) {
          await rollUpStatistics(db, { until: new Date(until) });
        }
      }),
    );
    await rollUpStatistics(t.bulkDb, { lagSeconds: 0 });
    await expectRollupMatchesLedger(t.db);
    await compareEverything();
  });
});

describe('issued and voided counts per campaign', () => {
  it('follow every insert, void, unvoid and delete of coupons, whichever statement made it', async () => {
    const campaign = await makeCampaign(t.db);
    const counts = async () => {
      const { rows } = await sql<{ kept: string; direct: string }>`
        select (select issued || '/' || voided from campaign_coupon_totals
                 where campaign_id = ${campaign.id}) as kept,
               (select count(*) || '/' || count(voided_at) from coupons
                 where campaign_id = ${campaign.id}) as direct`.execute(t.db);
      return rows[0];
    };
    await sql`
      insert into coupons (campaign_id, code, max_redemptions)
      select ${campaign.id}, 'COUNTS' || i, 1 from generate_series(1, 5) i`.execute(t.db);
    await issueCoupons(t.db, campaign.id, 2);
    expect(await counts()).toEqual({ kept: '7/0', direct: '7/0' });
    await sql`
      update coupons set voided_at = now(), void_reason = 'test'
       where campaign_id = ${campaign.id} and code like 'COUNTS%'`.execute(t.db);
    expect(await counts()).toEqual({ kept: '7/5', direct: '7/5' });
    await sql`
      update coupons set voided_at = null, void_reason = null where code = 'COUNTS1'`.execute(t.db);
    await sql`delete from coupons where code in ('COUNTS2', 'COUNTS3')`.execute(t.db);
    expect(await counts()).toEqual({ kept: '5/2', direct: '5/2' });
    // the job folds the changes into the totals: the same counts, and no change left behind
    await rollUpStatistics(t.db);
    expect(await counts()).toEqual({ kept: '5/2', direct: '5/2' });
    const { rows } = await sql<{ left: number }>`
      select count(*)::int as left from campaign_coupon_count_changes
       where campaign_id = ${campaign.id}`.execute(t.db);
    expect(rows[0]?.left).toBe(0);
  });

  it('keeping them never makes issuing or voiding wait for another transaction of the campaign', async () => {
    const campaign = await makeCampaign(t.db);
    await issueCoupons(t.db, campaign.id, 1);
    const { rows } = await sql<{ id: string }>`
      select id from coupons where campaign_id = ${campaign.id}`.execute(t.db);
    const couponId = rows[0]?.id ?? '';
    // a long batch of the same campaign, its coupons inserted and not yet committed
    const batch = new pg.Client({ connectionString: t.database.url });
    await batch.connect();
    try {
      await batch.query('begin');
      await batch.query(
        `insert into coupons (campaign_id, code, max_redemptions)
         select $1, 'LONGBATCH' || i, 1 from generate_series(1, 3) i`,
        [campaign.id],
      );
      // meanwhile a void and an issue of the same campaign go through at once
      await t.db.transaction().execute(async (trx) => {
        await sql`set local lock_timeout = '2s'`.execute(trx);
        await sql`update coupons set voided_at = now(), void_reason = 'test'
                   where id = ${couponId}`.execute(trx);
        await sql`insert into coupons (campaign_id, code, max_redemptions)
                   select ${campaign.id}, 'MEANWHILE' || i, 1 from generate_series(1, 2) i`.execute(
          trx,
        );
      });
      await batch.query('commit');
    } finally {
      await batch.end();
    }
    const { rows: totals } = await sql<{ kept: string }>`
      select issued || '/' || voided as kept from campaign_coupon_totals
       where campaign_id = ${campaign.id}`.execute(t.db);
    expect(totals[0]?.kept).toBe('6/1');
  });
});
