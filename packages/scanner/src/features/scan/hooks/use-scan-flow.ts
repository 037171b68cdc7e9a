// The scan flow in React: the pure reducer (flow/scan-flow.ts) with the impure parts around it —
// the clock, fresh Idempotency-Keys, being online, the requests, sound and the timing mark.
import { parseCouponCode, type ParsedCode } from '@couponscan/shared/code';
import type { LedgerEntry } from '@couponscan/shared/redemptions';
import { useCallback, useEffect, useMemo, useReducer, useRef } from 'react';
import { newIdempotencyKey } from '../../../lib/idempotency-key.ts';
import { isOnline } from '../../../lib/use-online-status.ts';
import { useRetryPolicy } from '../api/retry-policy.ts';
import { initialScanState, scanFlowReducer, type Screen } from '../flow/scan-flow.ts';
import { verdictTone } from '../flow/verdicts.ts';
import { playVerdictFeedback } from '../utils/verdict-feedback.ts';
import type { ScanMode } from './use-device-settings.ts';
import { useFlowRequests } from './use-flow-requests.ts';

/** Marked once a verdict is painted; the e2e test measures camera start → verdict. */
export const VERDICT_MARK = 'couponscan:verdict';

interface ScanFlowOptions {
  mode: ScanMode;
  sound: boolean;
  onRedeemed: (redemption: LedgerEntry) => void;
}

export interface ScanFlowControls {
  screen: Screen;
  /** From the camera: every decoded frame; the flow decides what is a new presentation. */
  submitScanned: (text: string) => void;
  /** From the camera: a frame without a QR code (evidence that a code has left the view). */
  frameMissed: () => void;
  /** From the keyboard: the parse result, so the form can say what is wrong. */
  submitTyped: (text: string) => ParsedCode;
  confirmRedeem: () => void;
  /** After "You just redeemed this": the deliberate second use of a multi-use coupon. */
  redeemAgain: () => void;
  checkAgain: () => void;
  stopChecking: () => void;
  dismiss: () => void;
  /** A redemption was undone: it no longer counts as "just redeemed". */
  forgetRedemption: (redemptionId: string) => void;
}

export function useScanFlow({ mode, sound, onRedeemed }: ScanFlowOptions): ScanFlowControls {
  const policy = useRetryPolicy();
  const [state, dispatch] = useReducer(scanFlowReducer, initialScanState);
  const { stop } = useFlowRequests(state.request, dispatch, policy, onRedeemed);
  const modeRef = useRef(mode);
  useEffect(() => {
    modeRef.current = mode;
  }, [mode]);
  useVerdictFeedback(state.screen, sound);

  const presentation = useCallback(
    () => ({
      at: Date.now(),
      mode: modeRef.current,
      online: isOnline(),
      idempotencyKey: newIdempotencyKey(),
    }),
    [],
  );

  const submitScanned = useCallback(
    (text: string) => {
      dispatch({ type: 'scanned', text, appHost: window.location.host, ...presentation() });
    },
    [presentation],
  );

  const frameMissed = useCallback(() => {
    dispatch({ type: 'frame_missed' });
  }, []);

  const submitTyped = useCallback(
    (text: string): ParsedCode => {
      const parsed = parseCouponCode(text);
      if (parsed.ok) dispatch({ type: 'typed', code: parsed.code, ...presentation() });
      return parsed;
    },
    [presentation],
  );

  return useMemo(
    () => ({
      screen: state.screen,
      submitScanned,
      frameMissed,
      submitTyped,
      confirmRedeem: () => {
        dispatch({ type: 'confirmed', idempotencyKey: newIdempotencyKey() });
      },
      redeemAgain: () => {
        dispatch({ type: 'redeem_again', idempotencyKey: newIdempotencyKey() });
      },
      checkAgain: () => {
        dispatch({ type: 'check_again', online: isOnline() });
      },
      stopChecking: stop,
      dismiss: () => {
        dispatch({ type: 'dismissed', at: Date.now() });
      },
      forgetRedemption: (redemptionId: string) => {
        dispatch({ type: 'redemption_undone', redemptionId });
      },
    }),
    [state.screen, submitScanned, frameMissed, submitTyped, stop],
  );
}

/** Sound and vibration as a verdict appears, and the timing mark once it is painted. */
function useVerdictFeedback(screen: Screen, sound: boolean): void {
  const soundRef = useRef(sound);
  useEffect(() => {
    soundRef.current = sound;
  }, [sound]);
  const verdict = screen.step === 'verdict' ? screen.verdict : null;
  useEffect(() => {
    if (verdict === null) return;
    playVerdictFeedback(verdictTone(verdict.outcome), soundRef.current);
    // effects run after the commit; the frame after the next animation frame is painted
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => performance.mark(VERDICT_MARK), 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [verdict]);
}
