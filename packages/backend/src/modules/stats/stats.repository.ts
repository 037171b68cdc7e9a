// All SQL of the dashboard. Totals, days, stores and refusals read the rollup (migration
// 2026_12_01_0200: 15-minute and UTC-day buckets filled by rollUpStatistics up to a watermark)
// plus the live tail, the ledger rows at or after the watermark, from the ledger's own indexes
// (transactions by (campaign_id, created_at) and (created_at), refused scans by a partial index on
// created_at). The watermark, the buckets and the tail are read in one REPEATABLE READ snapshot
// (withStatsSnapshot in stats.service.ts), so a job committing meanwhile can neither hide nor
// double a row. Days are cut at midnight in the viewer's time zone by PostgreSQL's own tz
// database, so 23- and 25-hour days come out right; stats_pieces() splits each day into whole UTC
// days, whole quarter hours and (for a midnight off the quarter hour) raw ledger reads, so every
// zone is exact.
import { sql, type RawBuilder } from 'kysely';
import type { Database } from '../../db/database.ts';

/** A day range in a time zone: `[from 00:00, to + 1 day 00:00)` local time. */
export interface DayRange {
  tz: string;
  from: string;
  to: string;
}

const rangeStart = (r: DayRange) => sql`((${r.from}::date)::timestamp at time zone ${r.tz})`;
const rangeEnd = (r: DayRange) => sql`((${r.to}::date + 1)::timestamp at time zone ${r.tz})`;
export const inCampaign = (column: string, campaignId: string | null) =>
  campaignId === null ? sql`true` : sql`${sql.ref(column)} = ${campaignId}`;
/**
 * The rollup's watermark as PostgreSQL's text (so '-infinity' and microseconds survive), read in
 * the same REPEATABLE READ snapshot as the figures that use it (see withStatsSnapshot), and passed
 * to them as a value so that the planner sees how few ledger rows lie after it.
 */
export type Watermark = string & { readonly __watermark: unique symbol };
const at = (watermark: Watermark) => sql`${watermark}::timestamptz`;

export async function readWatermark(db: Database): Promise<Watermark> {
  const { rows } = await sql<{ watermark: Watermark }>`
    select watermark::text as watermark from stats_rollup_state`.execute(db);
  const row = rows[0];
  if (row === undefined) throw new Error('stats_rollup_state has no row');
  return row.watermark;
}

/** Rollup rows of one campaign, or the rows summed over every campaign (campaign_id null). */
const bucketsOf = (column: string, campaignId: string | null) =>
  campaignId === null ? sql`${sql.ref(column)} is null` : sql`${sql.ref(column)} = ${campaignId}`;

/**
 * The ledger rows a piece (stats_pieces) must read live: all of a 'raw' piece, and of a bucketed
 * piece only what lies at or after the watermark (before it, the buckets hold the rows).
 */
const livePart = (created: string, watermark: Watermark) => sql`
  ${sql.ref(created)} >= (case when p.level = 'raw' then p.lo else greatest(p.lo, ${at(watermark)}) end)
  and ${sql.ref(created)} < p.hi`;
const needsLive = (watermark: Watermark) => sql`(p.level = 'raw' or p.hi > ${at(watermark)})`;

export interface CampaignFigures {
  campaign_id: string;
  issued: number;
  voided: number;
  /** Coupons whose net redemptions (redemptions minus reversals) are above zero. */
  redeemed: number;
  /** Redemptions minus reversals: the sum of the coupons' redemption_count. */
  redemptions: number;
}

/**
 * The live tail's effect on redemptions and redeemed coupons, per campaign: for every coupon with
 * a ledger row at or after the watermark, its net count before the watermark and now (from the
 * ledger by coupon), so a coupon redeemed, reversed and redeemed again counts once.
 */
function liveRedemptions(filter: RawBuilder<unknown>, watermark: Watermark) {
  return sql`
    tail as (
      select t.campaign_id, t.coupon_id
        from transactions t
       where ${filter} and t.created_at >= ${at(watermark)}
       group by t.campaign_id, t.coupon_id
    ),
    per_coupon as (
      -- LATERAL: one look-up by coupon each (transactions_coupon_id_idx), never a scan of the ledger
      select tail.campaign_id, n.before, n.after
        from tail
        cross join lateral (
          select coalesce(sum(case l.kind when 'redemption' then 1 else -1 end)
                            filter (where l.created_at < ${at(watermark)}), 0) as before,
                 sum(case l.kind when 'redemption' then 1 else -1 end) as after
            from transactions l
           where l.coupon_id = tail.coupon_id
        ) as n
    ),
    live as (
      select campaign_id, sum(after - before) as redemptions,
             count(*) filter (where after > 0) - count(*) filter (where before > 0) as redeemed
        from per_coupon
       group by campaign_id
    )`;
}

/** Issued, voided, redeemed and redemptions of each campaign named, O(campaigns + live tail). */
export async function campaignFigures(
  db: Database,
  watermark: Watermark,
  campaignIds: readonly string[],
): Promise<Map<string, CampaignFigures>> {
  if (campaignIds.length === 0) return new Map();
  const ids = sql`${[...campaignIds]}::uuid[]`;
  const { rows } = await sql<CampaignFigures>`
    with ${liveRedemptions(sql`t.campaign_id = any(${ids})`, watermark)}
    select k.id as campaign_id,
           coalesce(c.issued, 0)::int as issued,
           coalesce(c.voided, 0)::int as voided,
           (coalesce(r.redeemed, 0) + coalesce(live.redeemed, 0))::int as redeemed,
           (coalesce(r.redemptions, 0) + coalesce(live.redemptions, 0))::int as redemptions
      from unnest(${ids}) as k (id)
      left join campaign_coupon_totals c on c.campaign_id = k.id
      left join stats_campaign_redemptions r on r.campaign_id = k.id
      left join live on live.campaign_id = k.id
  `.execute(db);
  return new Map(rows.map((row) => [row.campaign_id, row]));
}

export async function couponTotals(db: Database, watermark: Watermark, campaignId: string | null) {
  if (campaignId !== null) {
    const row = (await campaignFigures(db, watermark, [campaignId])).get(campaignId);
    return {
      issued: row?.issued ?? 0,
      voided: row?.voided ?? 0,
      redeemed: row?.redeemed ?? 0,
      redemptions: row?.redemptions ?? 0,
    };
  }
  const { rows } = await sql<{
    issued: number;
    voided: number;
    redeemed: number;
    redemptions: number;
  }>`
    with ${liveRedemptions(sql`true`, watermark)}
    select (select coalesce(sum(issued), 0) from campaign_coupon_totals)::int as issued,
           (select coalesce(sum(voided), 0) from campaign_coupon_totals)::int as voided,
           ((select coalesce(sum(redeemed), 0) from stats_campaign_redemptions)
             + (select coalesce(sum(redeemed), 0) from live))::int as redeemed,
           ((select coalesce(sum(redemptions), 0) from stats_campaign_redemptions)
             + (select coalesce(sum(redemptions), 0) from live))::int as redemptions
  `.execute(db);
  return rows[0] ?? { issued: 0, voided: 0, redeemed: 0, redemptions: 0 };
}

export async function ledgerPerDay(
  db: Database,
  watermark: Watermark,
  campaignId: string | null,
  range: DayRange,
) {
  const { rows } = await sql<{ date: string; redemptions: number; reversals: number }>`
    with days as (
      select d::date as day,
             (d::date::timestamp at time zone ${range.tz}) as s,
             ((d::date + 1)::timestamp at time zone ${range.tz}) as e
        from generate_series(${range.from}::date, ${range.to}::date, interval '1 day') as d
    ),
    pieces as (
      select days.day, p.level, p.lo, p.hi
        from days cross join lateral stats_pieces(days.s, days.e) as p
    ),
    -- LATERAL with an aggregate (which keeps the planner from flattening it into a join): each
    -- piece is an index range scan of its own over a handful of rows, whatever the number of days
    rolled as (
      select p.day, sum(b.redemptions) as redemptions, sum(b.reversals) as reversals
        from pieces p
        cross join lateral (
          select sum(b.redemptions) as redemptions, sum(b.reversals) as reversals
            from stats_ledger_buckets b
           where b.span = p.level and ${bucketsOf('b.campaign_id', campaignId)}
             and b.bucket >= p.lo and b.bucket < p.hi
        ) as b
       where p.level <> 'raw'
       group by p.day
    ),
    live as (
      select p.day, sum(t.redemptions) as redemptions, sum(t.reversals) as reversals
        from pieces p
        cross join lateral (
          select count(*) filter (where t.kind = 'redemption') as redemptions,
                 count(*) filter (where t.kind = 'reversal') as reversals
            from transactions t
           where ${inCampaign('t.campaign_id', campaignId)} and ${livePart('t.created_at', watermark)}
        ) as t
       where ${needsLive(watermark)}
       group by p.day
    )
    select to_char(d.day, 'YYYY-MM-DD') as date,
           (coalesce(r.redemptions, 0) + coalesce(l.redemptions, 0))::int as redemptions,
           (coalesce(r.reversals, 0) + coalesce(l.reversals, 0))::int as reversals
      from days d
      left join rolled r on r.day = d.day
      left join live l on l.day = d.day
     order by d.day
  `.execute(db);
  return rows;
}

export async function ledgerPerStore(
  db: Database,
  watermark: Watermark,
  campaignId: string | null,
  range: DayRange,
) {
  const { rows } = await sql<{
    store_id: string;
    store_code: string;
    store_name: string;
    redemptions: number;
  }>`
    with pieces as (select * from stats_pieces(${rangeStart(range)}, ${rangeEnd(range)}) as p),
    net as (
      select b.store_id, b.redemptions - b.reversals as net
        from pieces p
        join stats_store_buckets b
          on b.span = p.level and ${bucketsOf('b.campaign_id', campaignId)}
         and b.bucket >= p.lo and b.bucket < p.hi
      union all
      select t.store_id, case t.kind when 'redemption' then 1 else -1 end
        from pieces p
        join transactions t on ${inCampaign('t.campaign_id', campaignId)} and ${livePart('t.created_at', watermark)}
       where ${needsLive(watermark)}
    ),
    l as (select store_id, sum(net) as net from net group by store_id)
    select s.id as store_id, s.code as store_code, s.name as store_name, l.net::int as redemptions
      from l
      join stores s on s.id = l.store_id
     where l.net <> 0
     order by l.net desc, s.name, s.id
  `.execute(db);
  return rows;
}

export async function refusalsByOutcome(
  db: Database,
  watermark: Watermark,
  campaignId: string | null,
  range: DayRange,
) {
  const campaignFilter =
    campaignId === null
      ? sql`true`
      : sql`exists (select 1 from coupons c where c.id = s.coupon_id and c.campaign_id = ${campaignId})`;
  const { rows } = await sql<{ outcome: string; count: number }>`
    with pieces as (select * from stats_pieces(${rangeStart(range)}, ${rangeEnd(range)}) as p),
    counted as (
      select b.outcome, b.scans as n
        from pieces p
        join stats_refusal_buckets b
          on b.span = p.level and ${bucketsOf('b.campaign_id', campaignId)}
         and b.bucket >= p.lo and b.bucket < p.hi
      union all
      select s.outcome, 1
        from pieces p
        join scans s on s.outcome <> 'redeemed' and ${livePart('s.created_at', watermark)}
       where ${needsLive(watermark)}
         and s.kind = 'redemption' -- look-ups (GET /api/coupons/:code) are no refusals
         and ${campaignFilter}
    )
    select outcome, sum(n)::int as count
      from counted
     group by outcome
     order by sum(n) desc, outcome
  `.execute(db);
  return rows;
}

export async function latestRedemptions(db: Database, campaignId: string | null, limit: number) {
  const { rows } = await sql<{
    id: string;
    created_at: Date;
    coupon_id: string;
    code: string;
    campaign_id: string;
    campaign_name: string;
    store_id: string;
    store_name: string;
    user_id: string;
    user_name: string;
    reversed: boolean;
  }>`
    select t.id, t.created_at, t.coupon_id, c.code, t.campaign_id, k.name as campaign_name,
           t.store_id, s.name as store_name, t.user_id, u.name as user_name,
           exists (select 1 from transactions r where r.reverses_id = t.id) as reversed
      from (
        select id, created_at, coupon_id, campaign_id, store_id, user_id
          from transactions
         where kind = 'redemption' and ${inCampaign('campaign_id', campaignId)}
         order by created_at desc, id desc
         limit ${limit}
      ) as t
      join coupons c on c.id = t.coupon_id
      join campaigns k on k.id = t.campaign_id
      join stores s on s.id = t.store_id
      join users u on u.id = t.user_id
     order by t.created_at desc, t.id desc
  `.execute(db);
  return rows;
}
