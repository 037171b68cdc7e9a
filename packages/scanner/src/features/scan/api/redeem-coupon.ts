// POST /api/redemptions with the attempt's Idempotency-Key, retried on timeouts and network
// errors. A refusal (409/404/422 with an outcome) is an answer, not an error.
import { isRefusalOutcome, type RefusalOutcome } from '@couponscan/shared/errors';
import type {
  RedeemBody,
  RedemptionRefusal,
  RedemptionSuccess,
} from '@couponscan/shared/redemptions';
import { IDEMPOTENCY_KEY_HEADER } from '@couponscan/shared/redemptions';
import { ApiError, apiRequest } from '../../../lib/api-client.ts';
import type { RetryPolicy } from './retry-policy.ts';
import { withRetries } from './retry.ts';

export type RefusedOutcome = RefusalOutcome | 'not_found' | 'invalid_code';

export type RedemptionAnswer =
  | { outcome: 'redeemed'; success: RedemptionSuccess }
  | { outcome: RefusedOutcome; refusal: RedemptionRefusal };

export interface RedeemAttempt {
  code: string;
  idempotencyKey: string;
  policy: RetryPolicy;
  signal?: AbortSignal;
  onRetry?: (attempt: number) => void;
}

export async function redeemCoupon(attempt: RedeemAttempt): Promise<RedemptionAnswer> {
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
    const outcome = refusedOutcome(error);
    if (outcome === null || !(error instanceof ApiError)) throw error;
    return { outcome, refusal: error.problem as RedemptionRefusal };
  }
}

function refusedOutcome(error: unknown): RefusedOutcome | null {
  if (!(error instanceof ApiError)) return null;
  if (isRefusalOutcome(error.code)) return error.code;
  if (error.code === 'not_found' || error.code === 'invalid_code') return error.code;
  return null;
}
