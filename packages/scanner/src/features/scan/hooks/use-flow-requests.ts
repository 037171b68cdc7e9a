// Performs the request the scan flow waits for (a preview or a redemption) and reports its answer
// back as events. One request at a time: a new one, or leaving the page, aborts the old, and the
// reducer drops answers to anything but the current operation.
import type { LedgerEntry } from '@couponscan/shared/redemptions';
import { useCallback, useEffect, useRef, type ActionDispatch } from 'react';
import { fetchCouponPreview } from '../api/coupon-preview.ts';
import { redeemCoupon } from '../api/redeem-coupon.ts';
import type { RetryPolicy } from '../api/retry-policy.ts';
import { classifyFailure } from '../../../lib/request-failure.ts';
import type { FlowRequest, ScanEvent } from '../flow/scan-flow.ts';

export function useFlowRequests(
  request: FlowRequest | null,
  dispatch: ActionDispatch<[ScanEvent]>,
  policy: RetryPolicy,
  onRedeemed: (redemption: LedgerEntry) => void,
): { stop: () => void } {
  const abortRef = useRef<AbortController | null>(null);
  const onRedeemedRef = useRef(onRedeemed);
  useEffect(() => {
    onRedeemedRef.current = onRedeemed;
  }, [onRedeemed]);

  useEffect(() => {
    if (request === null) return;
    const controller = new AbortController();
    abortRef.current = controller;
    const { operation } = request;
    if (request.kind === 'preview') {
      fetchCouponPreview(request.code, policy, controller.signal).then(
        (preview) => {
          dispatch({ type: 'preview_answered', operation, preview });
        },
        (error: unknown) => {
          dispatch({ type: 'preview_failed', operation, failure: classifyFailure(error) });
        },
      );
    } else {
      redeemCoupon({
        code: request.code,
        idempotencyKey: request.idempotencyKey,
        policy,
        signal: controller.signal,
        onRetry: (attempt) => {
          dispatch({ type: 'redeem_retrying', operation, attempt });
        },
      }).then(
        (result) => {
          if (result.outcome === 'redeemed') onRedeemedRef.current(result.success.redemption);
          dispatch({ type: 'redeem_answered', operation, result, at: Date.now() });
        },
        (error: unknown) => {
          // a stop, a timeout or a lost network mean it may have happened: "not confirmed"
          dispatch({ type: 'redeem_failed', operation, failure: classifyFailure(error) });
        },
      );
    }
    return () => {
      controller.abort();
    };
  }, [request, dispatch, policy]);

  const stop = useCallback(() => {
    abortRef.current?.abort();
  }, []);
  return { stop };
}
