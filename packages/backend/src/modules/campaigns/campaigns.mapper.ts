import type { Campaign, Discount } from '@couponscan/shared/campaigns';

export interface DiscountColumns {
  discount_type: 'percent' | 'fixed_amount' | 'free_item';
  discount_value: string | null;
  discount_currency: string | null;
  discount_description: string;
}

export function toDiscount(row: DiscountColumns): Discount {
  return {
    type: row.discount_type,
    value: row.discount_value === null ? null : Number(row.discount_value),
    currency: row.discount_currency,
    description: row.discount_description,
  };
}

export function toCampaign(
  row: DiscountColumns & {
    id: string;
    name: string;
    max_redemptions_per_coupon: number;
    valid_from: Date | null;
    valid_until: Date | null;
    time_zone: string;
    store_ids: string[];
    status: 'active' | 'paused' | 'archived';
    created_at: Date;
    updated_at: Date;
  },
): Campaign {
  return {
    id: row.id,
    name: row.name,
    discount: toDiscount(row),
    maxRedemptionsPerCoupon: row.max_redemptions_per_coupon,
    validFrom: row.valid_from?.toISOString() ?? null,
    validUntil: row.valid_until?.toISOString() ?? null,
    timeZone: row.time_zone,
    storeIds: row.store_ids,
    status: row.status,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
