// What happens between a decoded text and a verdict: local check, preview (confirm mode),
// redemption with one Idempotency-Key per attempt, retries, and the verdict itself.
import type { Discount } from '@couponscan/shared/campaigns';
import { formatCouponCode, parseCouponCode, type ParsedCode } from '@couponscan/shared/code';
import type { CouponPreview, EarlierRedemption } from '@couponscan/shared/coupons';
import type { LedgerEntry } from '@couponscan/shared/redemptions';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, TransportError } from '../../../lib/api-client.ts';
import { newIdempotencyKey } from '../../../lib/idempotency-key.ts';
import { isOnline } from '../../../lib/use-online-status.ts';
import { fetchCouponPreview } from '../api/coupon-preview.ts';
import { redeemCoupon, type RedemptionAnswer, type RefusedOutcome } from '../api/redeem-coupon.ts';
import { useRetryPolicy } from '../api/retry-policy.ts';
import { OfflineError } from '../api/retry.ts';
import { playVerdictFeedback, type VerdictTone } from '../utils/verdict-feedback.ts';
import type { ScanMode } from './use-device-settings.ts';

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
      outcome: RefusedOutcome;
      displayCode: string;
      campaignName: string | null;
      discount: Discount | null;
      /** For already_redeemed: when, where and by whom, newest first. */
      earlierRedemptions: EarlierRedemption[];
      /** The campaign's window, when known: expired and not_yet_valid say when. */
      validFrom: string | null;
      validUntil: string | null;
    };

export type ScanFlow =
  | { step: 'ready' }
  | { step: 'previewing'; code: string; attempt: number }
  | { step: 'confirm'; code: string; preview: CouponPreview }
  | { step: 'redeeming'; code: string; attempt: number }
  | { step: 'verdict'; code: string; verdict: Verdict }
  /**
   * A redemption was sent and no answer came back: it may or may not have happened. Checking again
   * reuses the same Idempotency-Key, so it can never redeem twice.
   */
  | { step: 'unconfirmed'; code: string; idempotencyKey: string; offline: boolean }
  /** Offline before anything was sent: nothing happened. */
  | { step: 'offline'; code: string }
  | { step: 'problem'; code: string; title: string; message: string };

/** Marked when a verdict appears; the e2e test measures camera start → verdict. */
export const VERDICT_MARK = 'couponscan:verdict';

/** After "Scan next", the camera ignores the same code for a moment (it is often still in view). */
export const RESCAN_COOLDOWN_MS = 2_500;

export function verdictTone(outcome: Verdict['outcome']): VerdictTone {
  if (outcome === 'redeemed') return 'success';
  if (outcome === 'already_redeemed') return 'refused';
  return 'warning';
}

interface ScanFlowOptions {
  mode: ScanMode;
  sound: boolean;
  onRedeemed: (redemption: LedgerEntry) => void;
}

export interface ScanFlowControls {
  flow: ScanFlow;
  /** From the camera: misreads and repeats are ignored silently. */
  submitScanned: (text: string) => void;
  /** From the keyboard: the parse result, so the form can say what is wrong. */
  submitTyped: (text: string) => ParsedCode;
  confirmRedeem: () => void;
  checkAgain: () => void;
  stopChecking: () => void;
  dismiss: () => void;
}

export function useScanFlow({ mode, sound, onRedeemed }: ScanFlowOptions): ScanFlowControls {
  const policy = useRetryPolicy();
  const [flow, setFlowState] = useState<ScanFlow>({ step: 'ready' });
  const flowRef = useRef<ScanFlow>(flow);
  // every operation gets a number; answers to an operation that is no longer current are dropped
  const operationRef = useRef(0);
  const abortRef = useRef<AbortController | null>(null);
  const lastDismissedRef = useRef<{ code: string; at: number } | null>(null);
  const optionsRef = useRef({ mode, sound, onRedeemed });
  useEffect(() => {
    optionsRef.current = { mode, sound, onRedeemed };
  }, [mode, sound, onRedeemed]);
  useEffect(() => () => abortRef.current?.abort(), []);

  const setFlow = useCallback((next: ScanFlow) => {
    flowRef.current = next;
    setFlowState(next);
  }, []);

  const beginOperation = useCallback(() => {
    abortRef.current?.abort();
    const controller = new AbortController();
    abortRef.current = controller;
    const id = ++operationRef.current;
    return { controller, isCurrent: () => operationRef.current === id };
  }, []);

  const showVerdict = useCallback(
    (code: string, verdict: Verdict) => {
      setFlow({ step: 'verdict', code, verdict });
      performance.mark(VERDICT_MARK);
      playVerdictFeedback(verdictTone(verdict.outcome), optionsRef.current.sound);
      if (verdict.outcome === 'redeemed') optionsRef.current.onRedeemed(verdict.redemption);
    },
    [setFlow],
  );

  const redeem = useCallback(
    (code: string, idempotencyKey: string) => {
      const { controller, isCurrent } = beginOperation();
      setFlow({ step: 'redeeming', code, attempt: 1 });
      redeemCoupon({
        code,
        idempotencyKey,
        policy,
        signal: controller.signal,
        onRetry: (attempt) => {
          if (isCurrent()) setFlow({ step: 'redeeming', code, attempt });
        },
      }).then(
        (answer) => {
          if (isCurrent()) showVerdict(code, verdictFromAnswer(code, answer));
        },
        (error: unknown) => {
          if (!isCurrent()) return;
          if (
            error instanceof OfflineError ||
            error instanceof TransportError ||
            controller.signal.aborted
          ) {
            setFlow({ step: 'unconfirmed', code, idempotencyKey, offline: !isOnline() });
          } else if (error instanceof ApiError && isRetryableServerError(error)) {
            setFlow({ step: 'unconfirmed', code, idempotencyKey, offline: false });
          } else {
            setFlow(problemFor(code, error));
          }
        },
      );
    },
    [beginOperation, policy, setFlow, showVerdict],
  );

  const preview = useCallback(
    (code: string) => {
      const { controller, isCurrent } = beginOperation();
      setFlow({ step: 'previewing', code, attempt: 1 });
      fetchCouponPreview(code, policy, controller.signal).then(
        (preview) => {
          if (!isCurrent()) return;
          if (preview.redeemable) setFlow({ step: 'confirm', code, preview });
          else showVerdict(code, verdictFromPreview(preview));
        },
        (error: unknown) => {
          if (!isCurrent()) return;
          if (
            error instanceof ApiError &&
            (error.code === 'not_found' || error.code === 'invalid_code')
          ) {
            showVerdict(code, {
              outcome: error.code,
              displayCode: formatCouponCode(code),
              campaignName: null,
              discount: null,
              earlierRedemptions: [],
              validFrom: null,
              validUntil: null,
            });
          } else if (error instanceof OfflineError || !isOnline()) {
            setFlow({ step: 'offline', code });
          } else {
            setFlow(problemFor(code, error));
          }
        },
      );
    },
    [beginOperation, policy, setFlow, showVerdict],
  );

  const start = useCallback(
    (code: string) => {
      if (!isOnline()) {
        setFlow({ step: 'offline', code });
        return;
      }
      if (optionsRef.current.mode === 'instant') redeem(code, newIdempotencyKey());
      else preview(code);
    },
    [preview, redeem, setFlow],
  );

  const submitScanned = useCallback(
    (text: string) => {
      const parsed = parseCouponCode(text);
      if (!parsed.ok) return;
      const current = flowRef.current;
      // one thing at a time; an unconfirmed attempt must be settled by a person, not by the camera
      if (['previewing', 'redeeming', 'unconfirmed'].includes(current.step)) return;
      if (current.step !== 'ready' && current.code === parsed.code) return;
      const dismissed = lastDismissedRef.current;
      if (
        current.step === 'ready' &&
        dismissed?.code === parsed.code &&
        Date.now() - dismissed.at < RESCAN_COOLDOWN_MS
      ) {
        return;
      }
      start(parsed.code);
    },
    [start],
  );

  const submitTyped = useCallback(
    (text: string): ParsedCode => {
      const parsed = parseCouponCode(text);
      const step = flowRef.current.step;
      if (parsed.ok && step !== 'previewing' && step !== 'redeeming') start(parsed.code);
      return parsed;
    },
    [start],
  );

  const confirmRedeem = useCallback(() => {
    const current = flowRef.current;
    if (current.step === 'confirm') redeem(current.code, newIdempotencyKey());
  }, [redeem]);

  const checkAgain = useCallback(() => {
    const current = flowRef.current;
    if (current.step !== 'unconfirmed') return;
    if (!isOnline()) {
      setFlow({ ...current, offline: true });
      return;
    }
    redeem(current.code, current.idempotencyKey);
  }, [redeem, setFlow]);

  const stopChecking = useCallback(() => {
    abortRef.current?.abort();
  }, []);

  const dismiss = useCallback(() => {
    const current = flowRef.current;
    if (current.step === 'redeeming') return;
    operationRef.current++;
    abortRef.current?.abort();
    if (current.step !== 'ready') lastDismissedRef.current = { code: current.code, at: Date.now() };
    setFlow({ step: 'ready' });
  }, [setFlow]);

  return { flow, submitScanned, submitTyped, confirmRedeem, checkAgain, stopChecking, dismiss };
}

function isRetryableServerError(error: ApiError): boolean {
  return (
    error.code === 'idempotency_request_in_progress' ||
    error.code === 'service_unavailable' ||
    error.code === 'internal_error'
  );
}

function verdictFromAnswer(code: string, answer: RedemptionAnswer): Verdict {
  if (answer.outcome === 'redeemed') {
    const { success } = answer;
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
  const { refusal } = answer;
  return {
    outcome: answer.outcome,
    displayCode: refusal.displayCode ?? formatCouponCode(code),
    campaignName: refusal.campaignName ?? null,
    discount: refusal.discount ?? null,
    earlierRedemptions: refusal.earlierRedemptions ?? [],
    validFrom: refusal.validFrom ?? null,
    validUntil: refusal.validUntil ?? null,
  };
}

function verdictFromPreview(preview: CouponPreview): Verdict {
  return {
    // a preview that is not redeemable always names why; `voided` covers a missing reason safely
    outcome: preview.reason ?? 'voided',
    displayCode: preview.coupon.displayCode,
    campaignName: preview.campaign.name,
    discount: preview.campaign.discount,
    earlierRedemptions: preview.reason === 'already_redeemed' ? preview.redemptions : [],
    validFrom: preview.campaign.validFrom,
    validUntil: preview.campaign.validUntil,
  };
}

function problemFor(code: string, error: unknown): ScanFlow {
  if (error instanceof ApiError) {
    switch (error.code) {
      case 'rate_limited':
        return {
          step: 'problem',
          code,
          title: 'Too many scans',
          message: 'Wait a few seconds, then scan again. Nothing was redeemed.',
        };
      case 'forbidden':
        return {
          step: 'problem',
          code,
          title: 'Not allowed',
          message: 'This account may not redeem coupons. Sign in with a store staff account.',
        };
      case 'unauthenticated':
        return {
          step: 'problem',
          code,
          title: 'Signed out',
          message: 'Your session ended. Sign in again; nothing was redeemed.',
        };
      default:
        break;
    }
  }
  if (error instanceof TransportError) {
    return {
      step: 'problem',
      code,
      title: 'No answer from the server',
      message: 'The coupon could not be checked. Nothing was redeemed. Try again.',
    };
  }
  return {
    step: 'problem',
    code,
    title: 'Something went wrong',
    message: 'The coupon could not be checked. Nothing was redeemed. Try again in a moment.',
  };
}
