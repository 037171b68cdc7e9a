// Issue 10, brute force: a code look-up (GET /api/coupons/:code) leaves a scan row like a
// redemption attempt does, so guessing shows in the audit trail. `kind` tells them apart; a
// look-up of a coupon that could be redeemed has the outcome `redeemable`. Frozen: never edit.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table scans
      add column kind text not null default 'redemption' check (kind in ('redemption', 'lookup'));
    alter table scans drop constraint scans_outcome_check;
    alter table scans add constraint scans_outcome_check check (outcome in (
      'redeemed', 'already_redeemed', 'voided', 'expired', 'not_yet_valid',
      'campaign_paused', 'wrong_store', 'not_found', 'invalid_code', 'redeemable'));
    alter table scans add constraint scans_outcome_of_kind check (
      (outcome <> 'redeemable' or kind = 'lookup') and (outcome <> 'redeemed' or kind = 'redemption'));
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    delete from scans where kind = 'lookup';
    alter table scans drop constraint scans_outcome_of_kind;
    alter table scans drop constraint scans_outcome_check;
    alter table scans add constraint scans_outcome_check check (outcome in (
      'redeemed', 'already_redeemed', 'voided', 'expired', 'not_yet_valid',
      'campaign_paused', 'wrong_store', 'not_found', 'invalid_code'));
    alter table scans drop column kind;
  `.execute(db);
}
