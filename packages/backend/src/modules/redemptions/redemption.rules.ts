// Whether a coupon may be redeemed, in one pure function: the preview and the locked redemption
// judge by the same rules. The order puts what staff most need to know first.
import type { RefusalOutcome } from '@couponscan/shared/errors';

export interface RedemptionFacts {
  voidedAt: Date | null;
  redemptionCount: number;
  maxRedemptions: number;
  campaignStatus: 'active' | 'paused' | 'archived';
  validFrom: Date | null;
  validUntil: Date | null;
  /** null: judged without a store (a marketer's preview). */
  storeAllowed: boolean | null;
  now: Date;
}

export function refusalFor(facts: RedemptionFacts): RefusalOutcome | null {
  if (facts.voidedAt !== null) return 'voided';
  if (facts.redemptionCount >= facts.maxRedemptions) return 'already_redeemed';
  if (facts.campaignStatus === 'paused') return 'campaign_paused';
  // an archived campaign has ended: its coupons count as expired
  if (facts.campaignStatus === 'archived') return 'expired';
  if (facts.validFrom !== null && facts.now < facts.validFrom) return 'not_yet_valid';
  if (facts.validUntil !== null && facts.now >= facts.validUntil) return 'expired';
  if (facts.storeAllowed === false) return 'wrong_store';
  return null;
}
