import { formatCouponCode } from '@couponscan/shared/code';
import type { Coupon, CouponStatus } from '@couponscan/shared/coupons';

export interface CouponColumns {
  id: string;
  code: string;
  campaign_id: string;
  redemption_count: number;
  max_redemptions: number;
  created_at: Date;
  voided_at: Date | null;
  void_reason: string | null;
}

export function couponStatus(
  row: Pick<CouponColumns, 'voided_at' | 'redemption_count' | 'max_redemptions'>,
): CouponStatus {
  if (row.voided_at !== null) return 'voided';
  return row.redemption_count >= row.max_redemptions ? 'redeemed' : 'active';
}

export function toCoupon(row: CouponColumns): Coupon {
  return {
    id: row.id,
    code: row.code,
    displayCode: formatCouponCode(row.code),
    campaignId: row.campaign_id,
    status: couponStatus(row),
    redemptionCount: row.redemption_count,
    maxRedemptions: row.max_redemptions,
    createdAt: row.created_at.toISOString(),
    voidedAt: row.voided_at?.toISOString() ?? null,
    voidReason: row.void_reason,
  };
}
