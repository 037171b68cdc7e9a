// Issue 8: pg-boss (schema `pgboss`, installed and upgraded by pg-boss itself at start) replaces
// the home-made `jobs` table. A batch that was waiting on the old queue would wait for ever, so it
// fails with a reason its marketer can act on. Frozen: never edit, add a new migration instead.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    update batches
       set status = 'failed', finished_at = now(),
           error = 'interrupted by an upgrade of the job queue; issue the batch again'
     where status in ('queued', 'running');
    drop table jobs;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
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
