// The dashboard reads pre-aggregated figures instead of every coupon and ledger row:
// - campaign_coupon_totals: issued and voided per campaign, from changes appended by triggers on
//   coupons where coupons are inserted, voided or deleted (never on the redemption path: a
//   redemption only updates redemption_count, which fires none of them), folded into
//   campaign_coupon_counts by the periodic job;
// - the rollup of the ledger and of refused scans in 15-minute and UTC-day buckets, and the
//   redemption totals per campaign, filled after commit by a periodic job up to a watermark
//   (modules/stats/stats-rollup.service.ts, rollUpStatistics). Rows at or after the watermark are read
//   from the ledger itself, so nothing waits for the job.
// Frozen: never edit, add a new migration instead.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    -- No coupon may be inserted, voided or deleted between the counts below and the triggers
    -- that keep them (an old instance may still be issuing during a rolling deploy).
    lock table coupons in share row exclusive mode;
    -- No foreign keys on these derived tables (as on the stats_* tables below): one would make
    -- every void and every fold take a share lock on the campaign's row, and wait behind an edit.
    create table campaign_coupon_counts (
      campaign_id uuid primary key,
      issued integer not null default 0,
      voided integer not null default 0
    );
    insert into campaign_coupon_counts (campaign_id, issued, voided)
    select campaign_id, count(*), count(voided_at) from coupons group by campaign_id;

    -- The triggers append changes instead of updating a campaign's counts row: an update would
    -- hold that row until commit, so a voiding or an issue request of the campaign would wait
    -- for a batch still inserting its coupons (minutes, in one transaction). The rollup job folds
    -- the changes into campaign_coupon_counts; readers add both (campaign_coupon_totals).
    create table campaign_coupon_count_changes (
      campaign_id uuid not null,
      issued integer not null,
      voided integer not null
    );
    create index campaign_coupon_count_changes_campaign_idx
      on campaign_coupon_count_changes (campaign_id);
    create view campaign_coupon_totals as
      select campaign_id, sum(issued)::int as issued, sum(voided)::int as voided
        from (select campaign_id, issued, voided from campaign_coupon_counts
              union all
              select campaign_id, issued, voided from campaign_coupon_count_changes) as kept
       group by campaign_id;

    -- One change per campaign per statement (a batch chunk, an import, an issue request).
    create function coupons_count_inserted() returns trigger language plpgsql as $$
    begin
      insert into campaign_coupon_count_changes (campaign_id, issued, voided)
      select campaign_id, count(*), count(voided_at) from inserted group by campaign_id;
      return null;
    end $$;
    create trigger coupons_count_inserted after insert on coupons
      referencing new table as inserted
      for each statement execute function coupons_count_inserted();

    create function coupons_count_deleted() returns trigger language plpgsql as $$
    begin
      insert into campaign_coupon_count_changes (campaign_id, issued, voided)
      select campaign_id, -count(*), -count(voided_at) from deleted group by campaign_id;
      return null;
    end $$;
    create trigger coupons_count_deleted after delete on coupons
      referencing old table as deleted
      for each statement execute function coupons_count_deleted();

    -- Row level, and only when voided_at is in the UPDATE's SET list and changed: a coupon is
    -- voided one at a time, and the redemption's UPDATE of redemption_count never fires it.
    create function coupons_count_voided() returns trigger language plpgsql as $$
    begin
      insert into campaign_coupon_count_changes (campaign_id, issued, voided)
      values (new.campaign_id, 0, case when new.voided_at is null then -1 else 1 end);
      return null;
    end $$;
    create trigger coupons_count_voided after update of voided_at on coupons
      for each row when ((old.voided_at is null) <> (new.voided_at is null))
      execute function coupons_count_voided();

    -- How far the rollup has got: every ledger row and refused scan with created_at before
    -- the watermark is in the tables below, none at or after it. One row, locked by the job.
    create table stats_rollup_state (
      id boolean primary key default true check (id),
      watermark timestamptz not null default '-infinity',
      rolled_up_at timestamptz
    );
    insert into stats_rollup_state default values;

    -- span 'quarter': [bucket, bucket + 15 min); span 'day': a UTC day. A null campaign_id
    -- (or store_id) is the sum over every campaign (store). Derived data without foreign keys,
    -- so that the job's inserts take no KEY SHARE locks on campaigns and stores.
    create table stats_ledger_buckets (
      span text not null check (span in ('quarter', 'day')),
      campaign_id uuid,
      bucket timestamptz not null,
      redemptions integer not null,
      reversals integer not null,
      constraint stats_ledger_buckets_key unique nulls not distinct (span, campaign_id, bucket)
    );
    create table stats_store_buckets (
      span text not null check (span in ('quarter', 'day')),
      campaign_id uuid,
      bucket timestamptz not null,
      store_id uuid not null,
      redemptions integer not null,
      reversals integer not null,
      constraint stats_store_buckets_key unique nulls not distinct (span, campaign_id, bucket, store_id)
    );
    create table stats_refusal_buckets (
      span text not null check (span in ('quarter', 'day')),
      campaign_id uuid,
      bucket timestamptz not null,
      outcome text not null,
      scans integer not null,
      constraint stats_refusal_buckets_key unique nulls not distinct (span, campaign_id, bucket, outcome)
    );
    -- The net redemptions and the coupons redeemed at least once (net), per campaign.
    create table stats_campaign_redemptions (
      campaign_id uuid primary key,
      redemptions integer not null,
      redeemed integer not null
    );

    -- The pieces that add up to [s, e) exactly: whole UTC days, whole quarters of an hour, and
    -- what is left at either end ('raw': read from the ledger, only for a boundary that is not
    -- on a quarter hour, which no time zone in use today has).
    create function stats_pieces(s timestamptz, e timestamptz)
    returns table (level text, lo timestamptz, hi timestamptz)
    language sql immutable parallel safe as $fn$
      with q as (
        select s, e,
               date_bin('15 minutes', s, timestamptz '2000-01-01 00:00+00')
                 + case when date_bin('15 minutes', s, timestamptz '2000-01-01 00:00+00') < s
                        then interval '15 minutes' else interval '0' end as qs,
               date_bin('15 minutes', e, timestamptz '2000-01-01 00:00+00') as qe
      ), d as (
        select q.*,
               date_bin('1 day', qs, timestamptz '2000-01-01 00:00+00')
                 + case when date_bin('1 day', qs, timestamptz '2000-01-01 00:00+00') < qs
                        then interval '1 day' else interval '0' end as ds,
               date_bin('1 day', qe, timestamptz '2000-01-01 00:00+00') as de
          from q
      )
      select p.level, p.lo, p.hi
        from d, lateral (values
          ('raw', s, case when qs < qe then qs else e end),
          ('raw', case when qs < qe then qe else e end, e),
          ('quarter', qs, case when ds < de then ds else qe end),
          ('day', ds, de),
          ('quarter', case when ds < de then de else qe end, qe)
        ) as p (level, lo, hi)
       where p.lo < p.hi
    $fn$;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop function stats_pieces;
    drop table stats_campaign_redemptions;
    drop table stats_refusal_buckets;
    drop table stats_store_buckets;
    drop table stats_ledger_buckets;
    drop table stats_rollup_state;
    drop trigger coupons_count_voided on coupons;
    drop function coupons_count_voided;
    drop trigger coupons_count_deleted on coupons;
    drop function coupons_count_deleted;
    drop trigger coupons_count_inserted on coupons;
    drop function coupons_count_inserted;
    drop view campaign_coupon_totals;
    drop table campaign_coupon_count_changes;
    drop table campaign_coupon_counts;
  `.execute(db);
}
