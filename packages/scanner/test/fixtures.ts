// API answers for the component tests, typed with the shared contract so that a change there
// breaks the tests here.
import type { SessionResponse } from '@couponscan/shared/auth';
import { formatCouponCode, generateCouponCode } from '@couponscan/shared/code';
import type { Page } from '@couponscan/shared/common';
import type { CouponPreview, EarlierRedemption } from '@couponscan/shared/coupons';
import { PROBLEM_CONTENT_TYPE, problemType } from '@couponscan/shared/errors';
import type {
  LedgerEntry,
  RedemptionRefusal,
  RedemptionSuccess,
  RefusedScanOutcome,
} from '@couponscan/shared/redemptions';
import { HttpResponse } from 'msw';

export const STORE_ID = '5b0c6c1e-1d0a-4c39-9d39-0d8e2b1a0001';
export const CAMPAIGN_ID = '5b0c6c1e-1d0a-4c39-9d39-0d8e2b1a0002';
const USER_ID = '5b0c6c1e-1d0a-4c39-9d39-0d8e2b1a0003';

export function session(role: 'staff' | 'marketer' | 'admin' = 'staff'): SessionResponse {
  return {
    user: {
      id: USER_ID,
      email: `${role}@example.com`,
      name: role === 'staff' ? 'Sam Staff' : 'Mia Marketer',
      role,
      storeId: role === 'staff' ? STORE_ID : null,
      storeName: role === 'staff' ? 'Demo Store' : null,
      disabled: false,
      createdAt: '2026-01-01T00:00:00.000Z',
    },
    undoWindowMinutes: 10,
  };
}

export const discount = {
  type: 'percent' as const,
  value: 10,
  currency: null,
  description: '10% off everything',
};

export function newCode(): string {
  return generateCouponCode();
}

export function ledgerEntry(code: string, overrides: Partial<LedgerEntry> = {}): LedgerEntry {
  const createdAt = overrides.createdAt ?? new Date().toISOString();
  return {
    id: crypto.randomUUID(),
    kind: 'redemption',
    couponId: crypto.randomUUID(),
    code,
    displayCode: formatCouponCode(code),
    campaignId: CAMPAIGN_ID,
    campaignName: 'Spring sale',
    storeId: STORE_ID,
    storeName: 'Demo Store',
    userId: USER_ID,
    userName: 'Sam Staff',
    createdAt,
    reversesId: null,
    reversedById: null,
    reason: null,
    undoableUntil: new Date(Date.parse(createdAt) + 10 * 60_000).toISOString(),
    ...overrides,
  };
}

export function redemptionSuccess(code: string): RedemptionSuccess {
  return {
    outcome: 'redeemed',
    redemption: ledgerEntry(code),
    discount,
    redemptionsLeft: 0,
    undoableUntil: new Date(Date.now() + 10 * 60_000).toISOString(),
  };
}

export function earlierRedemption(at: string): EarlierRedemption {
  return {
    redemptionId: crypto.randomUUID(),
    redeemedAt: at,
    storeId: STORE_ID,
    storeName: 'Harbour Street',
    userId: crypto.randomUUID(),
    userName: 'Alex Till',
  };
}

const TITLES: Record<RefusedScanOutcome, string> = {
  already_redeemed: 'Coupon already redeemed',
  voided: 'Coupon voided',
  expired: 'Coupon expired',
  not_yet_valid: 'Coupon not yet valid',
  campaign_paused: 'Campaign paused',
  wrong_store: 'Not valid in this store',
  not_found: 'Unknown coupon',
  invalid_code: 'Invalid code',
};

export function refusal(
  outcome: RefusedScanOutcome,
  code: string,
  extra: Partial<RedemptionRefusal> = {},
): RedemptionRefusal {
  const status = outcome === 'not_found' ? 404 : outcome === 'invalid_code' ? 422 : 409;
  const known = outcome !== 'not_found' && outcome !== 'invalid_code';
  return {
    type: problemType(outcome),
    title: TITLES[outcome],
    status,
    code: outcome,
    outcome,
    scanId: crypto.randomUUID(),
    displayCode: formatCouponCode(code),
    ...(known ? { campaignName: 'Spring sale', discount } : {}),
    ...extra,
  };
}

export function preview(code: string, overrides: Partial<CouponPreview> = {}): CouponPreview {
  return {
    coupon: {
      id: crypto.randomUUID(),
      code,
      displayCode: formatCouponCode(code),
      campaignId: CAMPAIGN_ID,
      status: 'active',
      redemptionCount: 0,
      maxRedemptions: 1,
      createdAt: '2026-01-01T00:00:00.000Z',
      voidedAt: null,
      voidReason: null,
    },
    campaign: {
      id: CAMPAIGN_ID,
      name: 'Spring sale',
      discount,
      status: 'active',
      validFrom: null,
      validUntil: '2030-06-30T21:59:59.000Z',
    },
    redemptionsLeft: 1,
    redeemable: true,
    reason: null,
    redemptions: [],
    ...overrides,
  };
}

/** An RFC 9457 answer, as the backend sends it. */
export function problemResponse(body: { status: number } & Record<string, unknown>) {
  return HttpResponse.json(body, {
    status: body.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE },
  });
}

export function unauthenticated() {
  return problemResponse({
    type: problemType('unauthenticated'),
    title: 'Sign in first',
    status: 401,
    code: 'unauthenticated',
  });
}

export const emptyPage: Page<LedgerEntry> = { items: [], nextCursor: null };
