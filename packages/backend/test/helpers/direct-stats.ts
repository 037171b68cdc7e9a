// The dashboard's figures computed directly from coupons, the ledger and the scans, as the
// dashboard did before the rollup existed: the oracle the rollup tests and the stats benchmark
// compare the served figures with.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../src/db/database.ts';

/** The overview's figures for `campaignId` (null: every campaign), days `from`..`to` in `tz`. */
export async function directOverview(
  db: Kysely<DB>,
  campaignId: string | null,
  tz: string,
  from: string,
  to: string,
) {
  const scope = (column: string) =>
    campaignId === null ? sql`true` : sql`${sql.ref(column)} = ${campaignId}`;
  const start = sql`((${from}::date)::timestamp at time zone ${tz})`;
  const end = sql`((${to}::date + 1)::timestamp at time zone ${tz})`;
  const totals = await sql<{
    issued: number;
    voided: number;
    redeemed: number;
    redemptions: number;
  }>`
    select count(*)::int as issued, count(voided_at)::int as voided,
           (count(*) filter (where redemption_count > 0))::int as redeemed,
           coalesce(sum(redemption_count), 0)::int as redemptions
      from coupons where ${scope('campaign_id')}`.execute(db);
  const perDay = await sql<{ date: string; redemptions: number; reversals: number }>`
    select to_char(d.day, 'YYYY-MM-DD') as date,
           coalesce(l.redemptions, 0)::int as redemptions, coalesce(l.reversals, 0)::int as reversals
      from generate_series(${from}::date, ${to}::date, interval '1 day') as d (day)
      left join (
        select (created_at at time zone ${tz})::date as day,
               count(*) filter (where kind = 'redemption') as redemptions,
               count(*) filter (where kind = 'reversal') as reversals
          from transactions
         where ${scope('campaign_id')} and created_at >= ${start} and created_at < ${end}
         group by 1) as l on l.day = d.day::date
     order by d.day`.execute(db);
  const perStore = await sql<{ storeId: string; redemptions: number }>`
    select store_id as "storeId", net::int as redemptions
      from (select store_id, sum(case kind when 'redemption' then 1 else -1 end) as net
              from transactions
             where ${scope('campaign_id')} and created_at >= ${start} and created_at < ${end}
             group by store_id) l
      join stores s on s.id = l.store_id
     where net <> 0
     order by net desc, s.name, s.id`.execute(db);
  const refusals = await sql<{ outcome: string; count: number }>`
    select outcome, count(*)::int as count
      from scans s
     where outcome <> 'redeemed' and kind = 'redemption'
       and created_at >= ${start} and created_at < ${end}
       and ${campaignId === null ? sql`true` : sql`s.coupon_id in (select id from coupons where campaign_id = ${campaignId})`}
     group by outcome
     order by count(*) desc, outcome`.execute(db);
  const row = totals.rows[0];
  if (row === undefined) throw new Error('no totals');
  return {
    totals: { ...row, redemptionRate: row.issued === 0 ? null : row.redeemed / row.issued },
    perDay: perDay.rows,
    perStore: perStore.rows,
    refusals: refusals.rows,
  };
}
