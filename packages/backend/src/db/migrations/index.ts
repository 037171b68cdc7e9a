// Every migration, in order. Listed in code rather than read from the folder so that a bundled
// build runs the same migrations as the sources do.
import type { Migration } from 'kysely';
import * as createCoreTables from './2026_11_28_0000_create_core_tables.ts';
import * as createBatches from './2026_11_28_0100_create_batches.ts';
import * as createRedeemCoupon from './2026_11_29_0100_create_redeem_coupon.ts';
import * as nameValidStoresOnWrongStore from './2026_11_29_0101_name_valid_stores_on_wrong_store.ts';
import * as addDashboardStatistics from './2026_11_29_0200_add_dashboard_statistics.ts';
import * as addScanKind from './2026_11_29_0400_add_scan_kind.ts';
import * as dropJobs from './2026_11_29_0300_drop_jobs.ts';
import * as announceLedgerAfterCommit from './2026_11_30_0000_announce_ledger_after_commit.ts';
import * as createApiTokens from './2026_11_30_0100_create_api_tokens.ts';
import * as createWebhooks from './2026_11_30_0200_create_webhooks.ts';
import * as addCampaignTimeZone from './2026_11_30_0400_add_campaign_time_zone.ts';
import * as indexCampaignCoupons from './2026_11_30_0400_index_campaign_coupons.ts';
import * as streamlineRedeemCoupon from './2026_12_01_0000_streamline_redeem_coupon.ts';
import * as createStatisticsRollup from './2026_12_01_0200_create_statistics_rollup.ts';
import * as redeemCouponReadsColumns from './2026_12_02_0000_redeem_coupon_reads_columns.ts';

export const migrations: Record<string, Migration> = {
  '2026_11_28_0000_create_core_tables': createCoreTables,
  '2026_11_28_0100_create_batches': createBatches,
  '2026_11_29_0100_create_redeem_coupon': createRedeemCoupon,
  '2026_11_29_0101_name_valid_stores_on_wrong_store': nameValidStoresOnWrongStore,
  '2026_11_29_0200_add_dashboard_statistics': addDashboardStatistics,
  '2026_11_29_0400_add_scan_kind': addScanKind,
  '2026_11_29_0300_drop_jobs': dropJobs,
  '2026_11_30_0000_announce_ledger_after_commit': announceLedgerAfterCommit,
  '2026_11_30_0100_create_api_tokens': createApiTokens,
  '2026_11_30_0200_create_webhooks': createWebhooks,
  '2026_11_30_0400_add_campaign_time_zone': addCampaignTimeZone,
  '2026_11_30_0400_index_campaign_coupons': indexCampaignCoupons,
  '2026_12_01_0000_streamline_redeem_coupon': streamlineRedeemCoupon,
  '2026_12_01_0200_create_statistics_rollup': createStatisticsRollup,
  '2026_12_02_0000_redeem_coupon_reads_columns': redeemCouponReadsColumns,
};
