// The live feed's NOTIFY leaves the ledger's trigger. PostgreSQL takes one database-wide lock when a
// transaction that has notified commits and holds it through the commit's WAL flush, so a NOTIFY
// inside every redemption made the redemptions commit one at a time (docs/benchmarks.md). The app
// now announces ledger rows after their transaction has committed, reading them back from the
// table (modules/stats/ledger-announcer.ts), which keeps "only committed rows are announced".
// Frozen: never edit, add a new migration instead.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    drop trigger transactions_notify on transactions;
    drop function transactions_notify();
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
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
