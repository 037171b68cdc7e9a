// All SQL of the dashboard's rollup job (migration 2026_12_01_0200): its state row and watermark,
// the next step's range, and adding a range of the ledger and refused scans to the buckets.
import { sql } from 'kysely';
import type { Database } from '../../db/database.ts';

// The rollup job's SQL. Buckets are cut in UTC from this origin: 15 minutes and 1 day.
const ORIGIN = sql`timestamptz '2000-01-01 00:00+00'`;

/**
 * The rollup's one state row, locked until the transaction ends. `skip`: false at once when another
 * transaction holds it (the job leaves the work to that one); otherwise waits for it.
 */
export async function lockRollupState(db: Database, mode: 'skip' | 'wait'): Promise<boolean> {
  const skip = mode === 'skip' ? sql` skip locked` : sql``;
  const { rows } = await sql`select id from stats_rollup_state for update${skip}`.execute(db);
  return rows.length > 0;
}

/**
 * The next step of the rollup: from the watermark to at most one day past the oldest row not yet
 * rolled up, and never past `target`, the least of now() - lag, the start of the oldest other
 * transaction in this database that is writing (it may still insert a ledger row or scan, whose
 * created_at, taken by clock_timestamp() inside it, is after its start), and `until`. Times come
 * back as text in this session's format, so -infinity and microseconds survive the round trip.
 */
export async function nextRollupStep(db: Database, lagSeconds: number, until: Date | null) {
  const { rows } = await sql<{ lo: string; hi: string; target: string; final: boolean }>`
    with s as (select watermark from stats_rollup_state),
    t as (
      select least(now() - make_interval(secs => ${lagSeconds}),
                   (select min(xact_start) from pg_stat_activity
                     where datname = current_database() and backend_xid is not null
                       and pid <> pg_backend_pid()),
                   ${until}::timestamptz) as target
    ),
    f as (
      select least((select min(created_at) from transactions, s where created_at >= s.watermark),
                   (select min(created_at) from scans, s
                     where outcome <> 'redeemed' and created_at >= s.watermark)) as first
    )
    select s.watermark::text as lo,
           least(t.target, f.first + interval '1 day')::text as hi,
           t.target::text as target,
           least(t.target, f.first + interval '1 day') = t.target as final
      from s, t, f
     where least(t.target, f.first + interval '1 day') > s.watermark
  `.execute(db);
  return rows[0];
}

/** Adds the ledger rows and refused scans with created_at in [lo, hi) to the rollup. */
export async function rollUpRange(db: Database, lo: string, hi: string): Promise<void> {
  const from = sql`${lo}::timestamptz`;
  const to = sql`${hi}::timestamptz`;
  await sql`
    insert into stats_ledger_buckets as b (span, campaign_id, bucket, redemptions, reversals)
    select case when grouping(q) = 0 then 'quarter' else 'day' end, campaign_id, coalesce(q, d),
           count(*) filter (where kind = 'redemption'), count(*) filter (where kind = 'reversal')
      from (select date_bin('15 minutes', created_at, ${ORIGIN}) as q,
                   date_bin('1 day', created_at, ${ORIGIN}) as d, campaign_id, kind
              from transactions
             where created_at >= ${from} and created_at < ${to}) as t
     group by grouping sets ((q, campaign_id), (q), (d, campaign_id), (d))
    on conflict on constraint stats_ledger_buckets_key do update
       set redemptions = b.redemptions + excluded.redemptions,
           reversals = b.reversals + excluded.reversals
  `.execute(db);
  await sql`
    insert into stats_store_buckets as b (span, campaign_id, bucket, store_id, redemptions, reversals)
    select case when grouping(q) = 0 then 'quarter' else 'day' end, campaign_id, coalesce(q, d),
           store_id,
           count(*) filter (where kind = 'redemption'), count(*) filter (where kind = 'reversal')
      from (select date_bin('15 minutes', created_at, ${ORIGIN}) as q,
                   date_bin('1 day', created_at, ${ORIGIN}) as d, campaign_id, store_id, kind
              from transactions
             where created_at >= ${from} and created_at < ${to}) as t
     group by grouping sets ((q, campaign_id, store_id), (q, store_id),
                             (d, campaign_id, store_id), (d, store_id))
    on conflict on constraint stats_store_buckets_key do update
       set redemptions = b.redemptions + excluded.redemptions,
           reversals = b.reversals + excluded.reversals
  `.execute(db);
  // A scan of an unknown code has no campaign: it counts only in the sum over every campaign.
  await sql`
    insert into stats_refusal_buckets as b (span, campaign_id, bucket, outcome, scans)
    select case when grouping(q) = 0 then 'quarter' else 'day' end, campaign_id, coalesce(q, d),
           outcome, count(*)
      from (select date_bin('15 minutes', s.created_at, ${ORIGIN}) as q,
                   date_bin('1 day', s.created_at, ${ORIGIN}) as d, c.campaign_id, s.outcome
              from scans s
              left join coupons c on c.id = s.coupon_id
             where s.outcome <> 'redeemed' and s.kind = 'redemption'
               and s.created_at >= ${from} and s.created_at < ${to}) as t
     group by grouping sets ((q, campaign_id, outcome), (q, outcome),
                             (d, campaign_id, outcome), (d, outcome))
    having grouping(campaign_id) = 1 or campaign_id is not null
    on conflict on constraint stats_refusal_buckets_key do update
       set scans = b.scans + excluded.scans
  `.execute(db);
  // Redeemed coupons: each coupon touched in [lo, hi), with its net count before lo and before hi.
  await sql`
    with touched as (
      select campaign_id, coupon_id
        from transactions
       where created_at >= ${from} and created_at < ${to}
       group by campaign_id, coupon_id
    ),
    per_coupon as (
      -- LATERAL: one look-up by coupon each, so a minute's step never scans the whole ledger
      select touched.campaign_id, n.before, n.after
        from touched
        cross join lateral (
          select coalesce(sum(case l.kind when 'redemption' then 1 else -1 end)
                            filter (where l.created_at < ${from}), 0) as before,
                 sum(case l.kind when 'redemption' then 1 else -1 end) as after
            from transactions l
           where l.coupon_id = touched.coupon_id and l.created_at < ${to}
        ) as n
    )
    insert into stats_campaign_redemptions as r (campaign_id, redemptions, redeemed)
    select campaign_id, sum(after - before),
           count(*) filter (where after > 0) - count(*) filter (where before > 0)
      from per_coupon
     group by campaign_id
    on conflict (campaign_id) do update
       set redemptions = r.redemptions + excluded.redemptions,
           redeemed = r.redeemed + excluded.redeemed
  `.execute(db);
  await sql`
    update stats_rollup_state set watermark = ${to}, rolled_up_at = now()`.execute(db);
}

/**
 * Empties the rollup and moves the watermark back to the beginning, under the state row's lock
 * (waiting for a job that holds it), so that the next runs rebuild everything from the ledger.
 * DELETE, not TRUNCATE: TRUNCATE is not MVCC-safe, and a dashboard request whose snapshot is
 * older would see the old watermark with empty buckets.
 */
export async function resetRollup(db: Database): Promise<void> {
  await lockRollupState(db, 'wait');
  await sql`delete from stats_ledger_buckets`.execute(db);
  await sql`delete from stats_store_buckets`.execute(db);
  await sql`delete from stats_refusal_buckets`.execute(db);
  await sql`delete from stats_campaign_redemptions`.execute(db);
  await sql`update stats_rollup_state set watermark = '-infinity', rolled_up_at = null`.execute(db);
}

/** The watermark, for tests and the benchmark (null while nothing is rolled up). */
export async function rollupWatermark(db: Database): Promise<Date | null> {
  const { rows } = await sql<{ watermark: Date | null }>`
    select case when watermark = '-infinity' then null else watermark end as watermark
      from stats_rollup_state`.execute(db);
  return rows[0]?.watermark ?? null;
}

/**
 * Folds the issued and voided changes the coupons' triggers appended into each campaign's counts
 * (campaign_coupon_totals reads both, so readers see the same figures before and after). Only
 * committed changes are seen and deleted; two instances at once delete each change only once.
 */
export async function foldCouponCountChanges(db: Database): Promise<void> {
  await sql`
    with folded as (delete from campaign_coupon_count_changes
                    returning campaign_id, issued, voided)
    insert into campaign_coupon_counts as c (campaign_id, issued, voided)
    select campaign_id, sum(issued), sum(voided) from folded group by campaign_id
    on conflict (campaign_id) do update
      set issued = c.issued + excluded.issued, voided = c.voided + excluded.voided
  `.execute(db);
}

/**
 * A rollup step may aggregate a whole busy day, well past the 15 s statement timeout requests
 * get; a step that always timed out would stop the watermark for good. Ten minutes, for this
 * transaction only.
 */
export async function allowLongRollupStep(db: Database): Promise<void> {
  await sql`set local statement_timeout = '10min'`.execute(db);
}
