// A campaign's coupons table at a million coupons: its pages walk an index in their own order
// (newest first) instead of sorting every coupon of the campaign for each page, and the code
// search is a prefix search that reads only the matching codes. text_pattern_ops compares bytes
// whatever the database's collation (C.UTF-8 or en_US.UTF-8 btrees cannot serve a prefix), so a
// prefix is an index range (`~>=~` and `~<~`). Frozen: never edit, add a new migration instead.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create index coupons_campaign_created_at_idx on coupons (campaign_id, created_at desc, id desc);
    create index coupons_campaign_code_prefix_idx on coupons (campaign_id, code text_pattern_ops);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop index coupons_campaign_code_prefix_idx;
    drop index coupons_campaign_created_at_idx;
  `.execute(db);
}
