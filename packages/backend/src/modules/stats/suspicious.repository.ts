// All SQL of suspicious activity: bursts of unknown or invalid codes per staff member and store
// (someone guessing codes), and a coupon refused as already redeemed at another store shortly after
// its redemption. Both read refused scans by their partial index on created_at.
import { sql } from 'kysely';
import type { Database } from '../../db/database.ts';
import { inCampaign } from './stats.repository.ts';

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
