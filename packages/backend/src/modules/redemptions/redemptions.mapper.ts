import { formatCouponCode } from '@couponscan/shared/code';
import type { EarlierRedemption } from '@couponscan/shared/coupons';
import type { LedgerEntry } from '@couponscan/shared/redemptions';
import type { LedgerRow } from './redemptions.repository.ts';

/** `undoWindowMinutes` sets `undoableUntil` on redemptions that stand. */
export function toLedgerEntry(row: LedgerRow, undoWindowMinutes: number): LedgerEntry {
  return {
    id: row.id,
    kind: row.kind,
    couponId: row.coupon_id,
    code: row.code,
    displayCode: formatCouponCode(row.code),
    campaignId: row.campaign_id,
    campaignName: row.campaign_name,
    storeId: row.store_id,
    storeName: row.store_name,
    userId: row.user_id,
    userName: row.user_name,
    createdAt: row.created_at.toISOString(),
    reversesId: row.reverses_id,
    reversedById: row.reversed_by_id,
    reason: row.reason,
    undoableUntil:
      row.kind === 'redemption' && row.reversed_by_id === null
        ? new Date(row.created_at.getTime() + undoWindowMinutes * 60_000).toISOString()
        : null,
  };
}

export function toEarlierRedemption(row: LedgerRow): EarlierRedemption {
  return {
    redemptionId: row.id,
    redeemedAt: row.created_at.toISOString(),
    storeId: row.store_id,
    storeName: row.store_name,
    userId: row.user_id,
    userName: row.user_name,
  };
}
