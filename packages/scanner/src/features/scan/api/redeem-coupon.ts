// POST /api/redemptions with the attempt's Idempotency-Key, retried on timeouts, network errors and
// busy answers under that same key. A refusal (409/404/422 with an outcome) is an answer, not an
// error.
import type {
  IDEMPOTENCY_KEY_HEADER as SharedIdempotencyKeyHeader,
  RedeemBody,
  RedemptionRefusal,
  RedemptionSuccess,
  RefusedScanOutcome,
} from '@couponscan/shared/redemptions';
import { ApiError, apiRequest } from '../../../lib/api-client.ts';
import type { RetryPolicy } from './retry-policy.ts';
import { withRetries } from './retry.ts';

// Written out, typed against the shared contract: importing the shared modules at run time would
// pull TypeBox into the staff bundle. A change there fails the type check here.
const IDEMPOTENCY_KEY_HEADER: typeof SharedIdempotencyKeyHeader = 'idempotency-key';
const REFUSED_SCAN_OUTCOMES: Record<RefusedScanOutcome, true> = {
  already_redeemed: true,
  voided: true,
  expired: true,
  not_yet_valid: true,
  campaign_paused: true,
  wrong_store: true,
  not_found: true,
  invalid_code: true,
};

/** The server's answer to a redemption: done, or refused with why. */
export type RedeemResult =
  | { outcome: 'redeemed'; success: RedemptionSuccess }
  | { outcome: RefusedScanOutcome; refusal: RedemptionRefusal };

export interface RedeemAttempt {
  code: string;
  idempotencyKey: string;
  policy: RetryPolicy;
  signal?: AbortSignal;
  onRetry?: (attempt: number) => void;
}

export function isRefusedScanOutcome(code: string): code is RefusedScanOutcome {
  return Object.hasOwn(REFUSED_SCAN_OUTCOMES, code);
}

export async function redeemCoupon(attempt: RedeemAttempt): Promise<RedeemResult> {
  const body: RedeemBody = { code: attempt.code };
  try {
    const success = await withRetries(
      (timeoutMs) =>
        apiRequest<RedemptionSuccess>('/api/redemptions', {
          method: 'POST',
          body,
          headers: { [IDEMPOTENCY_KEY_HEADER]: attempt.idempotencyKey },
          timeoutMs,
          signal: attempt.signal,
        }),
      { policy: attempt.policy, signal: attempt.signal, onRetry: attempt.onRetry },
    );
    return { outcome: 'redeemed', success };
  } catch (error) {
    if (error instanceof ApiError && isRefusedScanOutcome(error.code)) {
      return { outcome: error.code, refusal: error.problem as RedemptionRefusal };
    }
    throw error;
  }
}
