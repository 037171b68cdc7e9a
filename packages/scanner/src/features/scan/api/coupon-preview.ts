import type { CouponPreview } from '@couponscan/shared/coupons';
import { apiRequest } from '../../../lib/api-client.ts';
import type { RetryPolicy } from './retry-policy.ts';
import { withRetries } from './retry.ts';

/** GET /api/coupons/:code — what the coupon is worth and whether it can be redeemed here now. */
export function fetchCouponPreview(
  code: string,
  policy: RetryPolicy,
  signal?: AbortSignal,
): Promise<CouponPreview> {
  return withRetries(
    (timeoutMs) =>
      apiRequest<CouponPreview>(`/api/coupons/${encodeURIComponent(code)}`, { timeoutMs, signal }),
    { policy, signal },
  );
}
