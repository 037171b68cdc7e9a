// All SQL of the dashboard. Figures are aggregated in PostgreSQL over indexes made for them
// (migration 2026_11_29_0200): the ledger by (campaign_id, created_at) and (created_at) covering
// kind and store_id, refused scans by a partial index on created_at. Days are cut at midnight in
// the viewer's time zone by PostgreSQL's own tz database, so 23- and 25-hour days come out right.
import { sql } from 'kysely';
import type { Database } from '../../db/database.ts';

/** A day range in a time zone: `[from 00:00, to + 1 day 00:00)` local time. */
export interface DayRange {
  tz: string;
  from: string;
  to: string;
}

const rangeStart = (r: DayRange) => sql`((${r.from}::date)::timestamp at time zone ${r.tz})`;
const rangeEnd = (r: DayRange) => sql`((${r.to}::date + 1)::timestamp at time zone ${r.tz})`;
const inCampaign = (column: string, campaignId: string | null) =>
  campaignId === null ? sql`true` : sql`${sql.ref(column)} = ${campaignId}`;

export async function couponTotals(db: Database, campaignId: string | null) {
  const { rows } = await sql<{
    issued: number;
    voided: number;
    redeemed: number;
    redemptions: number;
  }>`
    select count(*)::int as issued,
           (count(*) filter (where voided_at is not null))::int as voided,
           (count(*) filter (where redemption_count > 0))::int as redeemed,
           coalesce(sum(redemption_count), 0)::int as redemptions
      from coupons
     where ${inCampaign('campaign_id', campaignId)}
  `.execute(db);
  return rows[0] ?? { issued: 0, voided: 0, redeemed: 0, redemptions: 0 };
}

export async function ledgerPerDay(db: Database, campaignId: string | null, range: DayRange) {
  const { rows } = await sql<{ date: string; redemptions: number; reversals: number }>`
    select to_char(d.day, 'YYYY-MM-DD') as date,
           coalesce(l.redemptions, 0)::int as redemptions,
           coalesce(l.reversals, 0)::int as reversals
      from generate_series(${range.from}::date, ${range.to}::date, interval '1 day') as d (day)
      left join (
        select (created_at at time zone ${range.tz})::date as day,
               count(*) filter (where kind = 'redemption') as redemptions,
               count(*) filter (where kind = 'reversal') as reversals
          from transactions
         where ${inCampaign('campaign_id', campaignId)}
           and created_at >= ${rangeStart(range)} and created_at < ${rangeEnd(range)}
         group by 1
      ) as l on l.day = d.day::date
     order by d.day
  `.execute(db);
  return rows;
}

export async function ledgerPerStore(db: Database, campaignId: string | null, range: DayRange) {
  const { rows } = await sql<{
    store_id: string;
    store_code: string;
    store_name: string;
    redemptions: number;
  }>`
    select s.id as store_id, s.code as store_code, s.name as store_name, l.net::int as redemptions
      from (
        select store_id, sum(case kind when 'redemption' then 1 else -1 end) as net
          from transactions
         where ${inCampaign('campaign_id', campaignId)}
           and created_at >= ${rangeStart(range)} and created_at < ${rangeEnd(range)}
         group by store_id
      ) as l
      join stores s on s.id = l.store_id
     where l.net <> 0
     order by l.net desc, s.name, s.id
  `.execute(db);
  return rows;
}

export async function refusalsByOutcome(db: Database, campaignId: string | null, range: DayRange) {
  const campaignFilter =
    campaignId === null
      ? sql`true`
      : sql`s.coupon_id in (select id from coupons where campaign_id = ${campaignId})`;
  const { rows } = await sql<{ outcome: string; count: number }>`
    select s.outcome, count(*)::int as count
      from scans s
     where s.outcome <> 'redeemed'
       and s.kind = 'redemption' -- look-ups (GET /api/coupons/:code) are no refusals
       and s.created_at >= ${rangeStart(range)} and s.created_at < ${rangeEnd(range)}
       and ${campaignFilter}
     group by s.outcome
     order by count(*) desc, s.outcome
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

export interface SuspiciousWindow {
  since: Date;
  until: Date;
  burstMinutes: number;
  minFailures: number;
  reuseMinutes: number;
}

/**
 * Per person and store: failed scans (not_found, invalid_code) in the period, and the most of
 * them inside any `burstMinutes` window (a window function over the partial index).
 */
export async function failedScanBursts(db: Database, w: SuspiciousWindow, limit: number) {
  const { rows } = await sql<{
    user_id: string;
    user_name: string;
    user_email: string;
    store_id: string | null;
    store_name: string | null;
    peak_failures: number;
    peak_at: Date;
    not_found: number;
    invalid_code: number;
    first_at: Date;
    last_at: Date;
  }>`
    with failed as (
      select user_id, store_id, outcome, created_at,
             count(*) over (
               partition by user_id, store_id order by created_at
               range between ${`${w.burstMinutes} minutes`}::interval preceding and current row
             ) as in_window
        from scans
       where outcome <> 'redeemed' and outcome in ('not_found', 'invalid_code')
         and created_at >= ${w.since} and created_at <= ${w.until}
    ),
    per_person as (
      select user_id, store_id,
             max(in_window) as peak_failures,
             count(*) filter (where outcome = 'not_found') as not_found,
             count(*) filter (where outcome = 'invalid_code') as invalid_code,
             min(created_at) as first_at,
             max(created_at) as last_at
        from failed
       group by user_id, store_id
      having max(in_window) >= ${w.minFailures}
    ),
    peaks as (
      select distinct on (user_id, store_id) user_id, store_id, created_at as peak_at
        from failed
       order by user_id, store_id, in_window desc, created_at
    )
    select p.user_id, u.name as user_name, u.email as user_email, p.store_id,
           s.name as store_name, p.peak_failures::int, k.peak_at, p.not_found::int,
           p.invalid_code::int, p.first_at, p.last_at
      from per_person p
      join peaks k on k.user_id = p.user_id and k.store_id is not distinct from p.store_id
      join users u on u.id = p.user_id
      left join stores s on s.id = p.store_id
     order by p.last_at desc, p.user_id
     limit ${limit}
  `.execute(db);
  return rows;
}

/**
 * Scans refused as already_redeemed at another store than the one that made the coupon's latest
 * redemption before the scan, within `reuseMinutes` of it.
 */
export async function crossStoreReuse(
  db: Database,
  w: SuspiciousWindow,
  campaignId: string | null,
  limit: number,
) {
  const { rows } = await sql<{
    coupon_id: string;
    code: string;
    campaign_id: string;
    campaign_name: string;
    redemption_id: string;
    redeemed_at: Date;
    redeemed_store_id: string;
    redeemed_store_name: string;
    scan_id: string;
    refused_at: Date;
    refused_store_id: string;
    refused_store_name: string;
    refused_user_id: string;
    refused_user_name: string;
    seconds_after: number;
  }>`
    select c.id as coupon_id, c.code, c.campaign_id, k.name as campaign_name,
           t.id as redemption_id, t.created_at as redeemed_at,
           t.store_id as redeemed_store_id, rs.name as redeemed_store_name,
           sc.id as scan_id, sc.created_at as refused_at,
           sc.store_id as refused_store_id, fs.name as refused_store_name,
           sc.user_id as refused_user_id, u.name as refused_user_name,
           floor(extract(epoch from sc.created_at - t.created_at))::int as seconds_after
      from scans sc
      join lateral (
        select id, created_at, store_id
          from transactions
         where coupon_id = sc.coupon_id and kind = 'redemption' and created_at <= sc.created_at
         order by created_at desc
         limit 1
      ) as t on true
      join coupons c on c.id = sc.coupon_id
      join campaigns k on k.id = c.campaign_id
      join stores rs on rs.id = t.store_id
      join stores fs on fs.id = sc.store_id
      join users u on u.id = sc.user_id
     where sc.outcome <> 'redeemed' and sc.outcome = 'already_redeemed'
       and sc.kind = 'redemption'
       and sc.created_at >= ${w.since} and sc.created_at <= ${w.until}
       and sc.store_id <> t.store_id
       and sc.created_at <= t.created_at + ${`${w.reuseMinutes} minutes`}::interval
       and ${inCampaign('c.campaign_id', campaignId)}
     order by sc.created_at desc, sc.id
     limit ${limit}
  `.execute(db);
  return rows;
}
