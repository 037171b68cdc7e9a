// The verdicts a scan can end in, built from the server's answers (or, for codes that never reach
// the server, from the scan itself), and the tone each is shown and heard in.
import type { Discount } from '@couponscan/shared/campaigns';
import { formatCouponCode } from '@couponscan/shared/code';
import type { CouponPreview, EarlierRedemption } from '@couponscan/shared/coupons';
import type { LedgerEntry, RefusedScanOutcome } from '@couponscan/shared/redemptions';
import type { RedeemResult } from '../api/redeem-coupon.ts';

/** The last redemption made on this device: re-presenting it says "You just redeemed this". */
export interface RecentRedemption {
  code: string;
  /** When this device saw it succeed (device clock, ms). */
  at: number;
  redemption: LedgerEntry;
  redemptionsLeft: number;
  discount: Discount;
}

export type Verdict =
  | {
      outcome: 'redeemed';
      displayCode: string;
      campaignName: string;
      discount: Discount;
      redemptionsLeft: number;
      undoableUntil: string;
      redemption: LedgerEntry;
    }
  | {
      outcome: RefusedScanOutcome;
      displayCode: string;
      campaignName: string | null;
      discount: Discount | null;
      /** For already_redeemed: when, where and by whom, newest first. */
      earlierRedemptions: EarlierRedemption[];
      /** The campaign's window, when known: expired and not_yet_valid say when. */
      validFrom: string | null;
      validUntil: string | null;
      /** For wrong_store: where the coupon can be used. */
      validStoreNames: string[];
      /** The code never reached the server: it was read with a wrong check character. */
      readLocally: boolean;
    }
  /** The code this device redeemed last, presented again: not a refusal, a reminder. */
  | {
      outcome: 'just_redeemed';
      displayCode: string;
      campaignName: string;
      discount: Discount;
      redeemedAt: string;
      /** Uses left after that redemption: another one needs a deliberate "Redeem again". */
      redemptionsLeft: number;
    }
  /** A QR code that holds no coupon (a menu's URL, Wi-Fi details, …). */
  | { outcome: 'not_a_coupon' };

export type VerdictOutcome = Verdict['outcome'];
export type VerdictTone = 'success' | 'refused' | 'reminder' | 'warning';

export function verdictTone(outcome: VerdictOutcome): VerdictTone {
  if (outcome === 'redeemed') return 'success';
  if (outcome === 'already_redeemed') return 'refused';
  if (outcome === 'just_redeemed') return 'reminder';
  return 'warning';
}

export function justRedeemedVerdict(recent: RecentRedemption): Verdict {
  return {
    outcome: 'just_redeemed',
    displayCode: recent.redemption.displayCode,
    campaignName: recent.redemption.campaignName,
    discount: recent.discount,
    redeemedAt: recent.redemption.createdAt,
    redemptionsLeft: recent.redemptionsLeft,
  };
}

/** A refusal with nothing but the code known (unknown codes, codes read wrong). */
export function bareRefusal(
  outcome: RefusedScanOutcome,
  code: string,
  readLocally = false,
): Verdict {
  return {
    outcome,
    displayCode: formatCouponCode(code),
    campaignName: null,
    discount: null,
    earlierRedemptions: [],
    validFrom: null,
    validUntil: null,
    validStoreNames: [],
    readLocally,
  };
}

/**
 * The verdict for the server's answer. An already_redeemed whose latest redemption is the one this
 * device just made is that reminder, not ALREADY USED: at a till, red looks like fraud.
 */
export function verdictFromResult(
  code: string,
  result: RedeemResult,
  recent: RecentRedemption | null,
): Verdict {
  if (result.outcome === 'redeemed') {
    const { success } = result;
    return {
      outcome: 'redeemed',
      displayCode: success.redemption.displayCode,
      campaignName: success.redemption.campaignName,
      discount: success.discount,
      redemptionsLeft: success.redemptionsLeft,
      undoableUntil: success.undoableUntil,
      redemption: success.redemption,
    };
  }
  const { refusal } = result;
  const earlierRedemptions = refusal.earlierRedemptions ?? [];
  if (result.outcome === 'already_redeemed' && isLatest(earlierRedemptions, recent)) {
    return justRedeemedVerdict({ ...recent, redemptionsLeft: 0 });
  }
  return {
    outcome: result.outcome,
    displayCode: refusal.displayCode ?? formatCouponCode(code),
    campaignName: refusal.campaignName ?? null,
    discount: refusal.discount ?? null,
    earlierRedemptions,
    validFrom: refusal.validFrom ?? null,
    validUntil: refusal.validUntil ?? null,
    validStoreNames: refusal.validStoreNames ?? [],
    readLocally: false,
  };
}

export function verdictFromPreview(
  preview: CouponPreview,
  recent: RecentRedemption | null,
): Verdict {
  // a preview that is not redeemable always names why; `voided` covers a missing reason safely
  const outcome = preview.reason ?? 'voided';
  if (outcome === 'already_redeemed' && isLatest(preview.redemptions, recent)) {
    return justRedeemedVerdict({ ...recent, redemptionsLeft: 0 });
  }
  return {
    outcome,
    displayCode: preview.coupon.displayCode,
    campaignName: preview.campaign.name,
    discount: preview.campaign.discount,
    earlierRedemptions: outcome === 'already_redeemed' ? preview.redemptions : [],
    validFrom: preview.campaign.validFrom,
    validUntil: preview.campaign.validUntil,
    validStoreNames: preview.validStoreNames ?? [],
    readLocally: false,
  };
}

function isLatest(
  earlier: readonly EarlierRedemption[],
  recent: RecentRedemption | null,
): recent is RecentRedemption {
  return recent !== null && earlier[0]?.redemptionId === recent.redemption.id;
}
