// Issuing at scale (issue 4): batches of coupons, the background-job queue that issues the large
// ones, and which batch a coupon came from. Frozen: never edit, add a new migration instead.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table batches (
      id uuid primary key default gen_random_uuid(),
      campaign_id uuid not null references campaigns (id),
      source text not null default 'generated' check (source in ('generated', 'imported')),
      count integer not null check (count between 1 and 1000000),
      prefix text check (prefix ~ '^[0-9A-HJKMNP-TV-Z]{2,8}$'),
      status text not null default 'queued'
        check (status in ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
      -- progress: codes drawn so far in the running attempt (they stay invisible until success)
      generated integer not null default 0,
      error text,
      created_by uuid references users (id),
      created_at timestamptz not null default now(),
      started_at timestamptz,
      finished_at timestamptz,
      constraint batches_progress check (generated between 0 and count),
      constraint batches_imported_have_no_prefix check (source = 'generated' or prefix is null)
    );
    create index batches_campaign_id_idx on batches (campaign_id, created_at desc);

    -- A coupon of a batch is inserted in the same transaction that marks the batch succeeded,
    -- so a failed, cancelled or killed batch leaves none behind. Null: issued one by one.
    alter table coupons add column batch_id uuid references batches (id);
    create index coupons_batch_id_idx on coupons (batch_id, code) where batch_id is not null;

    -- A PostgreSQL-backed job queue: workers claim with FOR UPDATE SKIP LOCKED and hold the
    -- row lock for as long as the job's transaction runs, so a job marked running whose row is
    -- not locked belongs to a worker that died, and is put back or given up.
    create table jobs (
      id bigint generated always as identity primary key,
      kind text not null check (kind ~ '^[a-z_]{1,64}$'),
      payload jsonb not null default '{}',
      status text not null default 'queued'
        check (status in ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
      attempts integer not null default 0 check (attempts >= 0),
      max_attempts integer not null default 3 check (max_attempts >= 1),
      run_after timestamptz not null default now(),
      locked_by text,
      locked_at timestamptz,
      last_error text,
      created_at timestamptz not null default now(),
      finished_at timestamptz,
      constraint jobs_running_is_locked check ((status = 'running') = (locked_by is not null))
    );
    create index jobs_queued_idx on jobs (run_after, id) where status = 'queued';
    create index jobs_running_idx on jobs (locked_at) where status = 'running';
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop table jobs;
    drop index coupons_batch_id_idx;
    alter table coupons drop column batch_id;
    drop table batches;
  `.execute(db);
}
