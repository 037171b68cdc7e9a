// The marketers' console (issue 7): a store's time zone, the campaign on every ledger row (so the
// dashboard's per-campaign figures are index range scans instead of joins over a million
// coupons), indexes for the statistics, and the live feed's NOTIFY. Frozen: never edit, add a new
// migration instead.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table stores add column time_zone text not null default 'UTC'
      check (time_zone ~ '^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$' and length(time_zone) <= 64);

    -- The ledger row's campaign, copied from its coupon by a trigger, so no writer has to name it
    -- and none can get it wrong. A coupon never changes campaign.
    alter table transactions add column campaign_id uuid references campaigns (id);
    create function transactions_set_campaign() returns trigger language plpgsql as $$
    begin
      select campaign_id into new.campaign_id from coupons where id = new.coupon_id;
      return new;
    end $$;
    create trigger transactions_set_campaign before insert on transactions
      for each row execute function transactions_set_campaign();
    -- the ledger is append-only; this one-time fill of a derived column is the only exception
    alter table transactions disable trigger transactions_append_only;
    update transactions t set campaign_id = c.campaign_id from coupons c where c.id = t.coupon_id;
    alter table transactions enable trigger transactions_append_only;
    alter table transactions alter column campaign_id set not null;

    -- Day series and per-store figures read only these indexes (index-only scans).
    create index transactions_campaign_created_at_idx on transactions (campaign_id, created_at)
      include (kind, store_id);
    create index transactions_created_at_stats_idx on transactions (created_at)
      include (kind, store_id);
    -- Refused scans: counts by outcome, bursts of failed scans, reuse at another store.
    create index scans_refused_created_at_idx on scans (created_at)
      include (outcome, coupon_id, store_id, user_id) where outcome <> 'redeemed';
    -- Listing the batches still at work across campaigns.
    create index batches_unfinished_idx on batches (created_at desc, id desc)
      where status in ('queued', 'running');

    -- The live feed (GET /api/stats/stream). NOTIFY is transactional: PostgreSQL delivers it when
    -- the inserting transaction commits and never when it rolls back, so only committed ledger
    -- rows are announced, whichever code path wrote them. The payload stays small (< 300 bytes).
    create function transactions_notify() returns trigger language plpgsql as $$
    begin
      perform pg_notify('couponscan_ledger', json_build_object(
        'id', new.id,
        'kind', new.kind,
        'couponId', new.coupon_id,
        'campaignId', new.campaign_id,
        'storeId', new.store_id,
        'userId', new.user_id,
        'createdAt', new.created_at
      )::text);
      return null;
    end $$;
    create trigger transactions_notify after insert on transactions
      for each row execute function transactions_notify();
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop trigger transactions_notify on transactions;
    drop function transactions_notify;
    drop index batches_unfinished_idx;
    drop index scans_refused_created_at_idx;
    drop index transactions_created_at_stats_idx;
    drop index transactions_campaign_created_at_idx;
    drop trigger transactions_set_campaign on transactions;
    drop function transactions_set_campaign;
    alter table transactions drop column campaign_id;
    alter table stores drop column time_zone;
  `.execute(db);
}
