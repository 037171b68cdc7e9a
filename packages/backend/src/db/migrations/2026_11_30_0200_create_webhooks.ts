// Webhooks: endpoints admins register, an outbox of events filled by triggers in the transaction
// that makes the change, one delivery per endpoint and event, and every attempt at it.
// The triggers write an event only when an enabled endpoint subscribes to it, and never NOTIFY
// (a NOTIFY takes a database-wide lock at commit and would serialise every redemption's commit):
// a polling job reads the outbox. Frozen: never edit, add a new migration instead.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table webhook_endpoints (
      id uuid primary key default gen_random_uuid(),
      url text not null check (url ~ '^https?://' and length(url) <= 2000),
      description text not null default '' check (length(description) <= 500),
      events text[] not null check (
        cardinality(events) > 0 and events <@ array[
          'redemption.created', 'redemption.reversed', 'coupon.voided', 'batch.finished'
        ]::text[]
      ),
      secret text not null,
      enabled boolean not null default true,
      created_by uuid references users (id) on delete set null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );

    -- the outbox; dispatched_at is set when its deliveries have been created
    create table webhook_events (
      id uuid primary key default gen_random_uuid(),
      type text not null,
      data jsonb not null,
      created_at timestamptz not null default clock_timestamp(),
      dispatched_at timestamptz
    );
    create index webhook_events_undispatched_idx on webhook_events (created_at, id)
      where dispatched_at is null;
    create index webhook_events_created_at_idx on webhook_events (created_at);

    create table webhook_deliveries (
      id uuid primary key default gen_random_uuid(),
      endpoint_id uuid not null references webhook_endpoints (id) on delete cascade,
      event_id uuid not null references webhook_events (id) on delete cascade,
      status text not null default 'pending' check (status in ('pending', 'succeeded', 'failed')),
      attempts integer not null default 0 check (attempts >= 0),
      next_attempt_at timestamptz,
      last_error text,
      created_at timestamptz not null default clock_timestamp(),
      finished_at timestamptz
    );
    create index webhook_deliveries_endpoint_idx on webhook_deliveries (endpoint_id, created_at desc, id desc);
    create index webhook_deliveries_event_idx on webhook_deliveries (event_id);

    create table webhook_attempts (
      id uuid primary key default gen_random_uuid(),
      delivery_id uuid not null references webhook_deliveries (id) on delete cascade,
      number integer not null check (number >= 1),
      status_code integer,
      duration_ms integer not null check (duration_ms >= 0),
      error text,
      created_at timestamptz not null default clock_timestamp(),
      unique (delivery_id, number)
    );

    -- true when an enabled endpoint wants events of this type: the triggers' only cost otherwise
    create function webhook_wanted(event_type text) returns boolean
      language sql stable as $$
        select exists (
          select 1 from webhook_endpoints where enabled and events @> array[event_type]
        )
      $$;

    create function webhook_ledger_event() returns trigger
      language plpgsql as $$
      declare
        event_type text := case new.kind when 'redemption' then 'redemption.created'
                                         else 'redemption.reversed' end;
      begin
        if webhook_wanted(event_type) then
          insert into webhook_events (type, data)
          select event_type, jsonb_build_object(
                   'id', new.id,
                   'kind', new.kind,
                   'couponId', new.coupon_id,
                   'code', c.code,
                   'campaignId', new.campaign_id,
                   'storeId', new.store_id,
                   'userId', new.user_id,
                   'reversesId', new.reverses_id,
                   'reason', new.reason,
                   'createdAt', new.created_at)
            from coupons c where c.id = new.coupon_id;
        end if;
        return null;
      end
      $$;
    create trigger transactions_webhook_event after insert on transactions
      for each row execute function webhook_ledger_event();

    create function webhook_coupon_voided_event() returns trigger
      language plpgsql as $$
      begin
        if webhook_wanted('coupon.voided') then
          insert into webhook_events (type, data)
          values ('coupon.voided', jsonb_build_object(
                   'id', new.id,
                   'code', new.code,
                   'campaignId', new.campaign_id,
                   'batchId', new.batch_id,
                   'reason', new.void_reason,
                   'voidedBy', new.voided_by,
                   'voidedAt', new.voided_at));
        end if;
        return null;
      end
      $$;
    create trigger coupons_webhook_voided after update of voided_at on coupons
      for each row when (old.voided_at is null and new.voided_at is not null)
      execute function webhook_coupon_voided_event();

    create function webhook_batch_finished_event() returns trigger
      language plpgsql as $$
      begin
        if webhook_wanted('batch.finished') then
          insert into webhook_events (type, data)
          values ('batch.finished', jsonb_build_object(
                   'id', new.id,
                   'campaignId', new.campaign_id,
                   'source', new.source,
                   'status', new.status,
                   'count', new.count,
                   'generated', new.generated,
                   'error', new.error,
                   'finishedAt', new.finished_at));
        end if;
        return null;
      end
      $$;
    create trigger batches_webhook_finished after update of finished_at on batches
      for each row when (old.finished_at is null and new.finished_at is not null)
      execute function webhook_batch_finished_event();
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop trigger batches_webhook_finished on batches;
    drop trigger coupons_webhook_voided on coupons;
    drop trigger transactions_webhook_event on transactions;
    drop function webhook_batch_finished_event();
    drop function webhook_coupon_voided_event();
    drop function webhook_ledger_event();
    drop function webhook_wanted(text);
    drop table webhook_attempts;
    drop table webhook_deliveries;
    drop table webhook_events;
    drop table webhook_endpoints;
  `.execute(db);
}
