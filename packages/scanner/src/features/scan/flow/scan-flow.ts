// The scan flow as a pure reducer: what the person at the till sees, from a decoded text
// or a typed code to a verdict, and which request is in flight. Everything impure (time, keys,
// being online, the camera's host) arrives in the events, so the rules are unit-tested directly
// (test/scan-flow.test.ts). The rules:
// - one decision per presentation of a code: reads are ignored while anything is on screen, and
//   after it closes the code just handled is ignored until it has been out of view: no read of
//   it for CODE_GONE_MS *and* at least CODE_GONE_FRAMES frames looked at without it, so a camera
//   that decodes slowly (a starved CPU, decoding resuming after a verdict) never makes a code
//   held in view look new;
// - the code this device redeemed last, presented again within JUST_REDEEMED_MS, says "You just
//   redeemed this" without asking the server; another use needs a deliberate "Redeem again";
// - a QR code that is not a coupon gets its verdict after NOT_A_COUPON_READS identical reads in a
//   row, never from one misread frame.
import type { CouponPreview } from '@couponscan/shared/coupons';
import type { RedeemResult } from '../api/redeem-coupon.ts';
import type { RequestFailure } from '../../../lib/request-failure.ts';
import type { ScanMode } from '../hooks/use-device-settings.ts';
import { readScannedText } from './scanned-text.ts';
import {
  bareRefusal,
  justRedeemedVerdict,
  verdictFromPreview,
  verdictFromResult,
  type RecentRedemption,
  type Verdict,
} from './verdicts.ts';

/** A code is presented anew once the camera has not seen it for this long… */
export const CODE_GONE_MS = 1_500;
/** …while looking at this many frames without it (the camera decodes about 10 a second). */
export const CODE_GONE_FRAMES = 5;
/** How long re-presenting the last redeemed code gives the reminder without asking the server. */
export const JUST_REDEEMED_MS = 10 * 60_000;
/** Identical reads in a row before a QR code is called "not a coupon". */
export const NOT_A_COUPON_READS = 2;

export type Screen =
  | { step: 'ready' }
  | { step: 'previewing'; code: string; attempt: number }
  | { step: 'confirm'; code: string; preview: CouponPreview }
  | { step: 'redeeming'; code: string; attempt: number }
  | { step: 'verdict'; code: string | null; verdict: Verdict }
  /**
   * A redemption was sent and no answer came back: it may or may not have happened. Checking again
   * reuses the same Idempotency-Key, so it can never redeem twice.
   */
  | {
      step: 'unconfirmed';
      code: string;
      idempotencyKey: string;
      reason: 'offline' | 'no_answer' | 'busy';
    }
  /** Offline before anything was sent: nothing happened. */
  | { step: 'offline'; code: string }
  | { step: 'problem'; code: string; title: string; message: string };

/** The request the screen waits for; a new one replaces (and aborts) the old. */
export type FlowRequest =
  | { operation: number; kind: 'preview'; code: string }
  | { operation: number; kind: 'redeem'; code: string; idempotencyKey: string };

export interface ScanState {
  screen: Screen;
  request: FlowRequest | null;
  operations: number;
  /**
   * The text the camera read last for a decision, when it was last seen, and how many frames the
   * camera has looked at since without finding it (counted up to CODE_GONE_FRAMES).
   */
  handled: { text: string; seenAt: number; missedFrames: number } | null;
  /** Reads in a row of one text that is not a coupon. */
  doubtful: { text: string; reads: number } | null;
  recent: RecentRedemption | null;
}

export const initialScanState: ScanState = {
  screen: { step: 'ready' },
  request: null,
  operations: 0,
  handled: null,
  doubtful: null,
  recent: null,
};

/** What a new code needs from outside: the device's mode, network and a fresh key. */
interface Presentation {
  at: number;
  mode: ScanMode;
  online: boolean;
  /** A fresh Idempotency-Key, used if this presentation redeems. */
  idempotencyKey: string;
}

export type ScanEvent =
  | ({ type: 'scanned'; text: string; appHost: string } & Presentation)
  | ({ type: 'typed'; code: string } & Presentation)
  | { type: 'preview_answered'; operation: number; preview: CouponPreview }
  | { type: 'preview_failed'; operation: number; failure: RequestFailure }
  | { type: 'redeem_retrying'; operation: number; attempt: number }
  | { type: 'redeem_answered'; operation: number; result: RedeemResult; at: number }
  | { type: 'redeem_failed'; operation: number; failure: RequestFailure }
  | { type: 'confirmed'; idempotencyKey: string }
  | { type: 'redeem_again'; idempotencyKey: string }
  | { type: 'check_again'; online: boolean }
  | { type: 'dismissed'; at: number }
  /** The camera looked at a frame and found no QR code in it. */
  | { type: 'frame_missed' }
  | { type: 'redemption_undone'; redemptionId: string };

export function scanFlowReducer(state: ScanState, event: ScanEvent): ScanState {
  switch (event.type) {
    case 'scanned':
      return scanned(state, event);
    case 'typed':
      if (state.screen.step !== 'ready') return state;
      return present(state, event.code, event);
    case 'preview_answered': {
      if (!isCurrent(state, event.operation) || state.screen.step !== 'previewing') return state;
      const { code } = state.screen;
      if (event.preview.redeemable) {
        return settled(state, { step: 'confirm', code, preview: event.preview });
      }
      return settled(state, {
        step: 'verdict',
        code,
        verdict: verdictFromPreview(event.preview, state.recent),
      });
    }
    case 'preview_failed': {
      if (!isCurrent(state, event.operation) || state.screen.step !== 'previewing') return state;
      const { code } = state.screen;
      const { failure } = event;
      if (
        failure.kind === 'rejected' &&
        (failure.code === 'not_found' || failure.code === 'invalid_code')
      ) {
        return settled(state, { step: 'verdict', code, verdict: bareRefusal(failure.code, code) });
      }
      if (failure.kind === 'offline') return settled(state, { step: 'offline', code });
      return settled(state, problemFor(code, failure));
    }
    case 'redeem_retrying':
      if (!isCurrent(state, event.operation) || state.screen.step !== 'redeeming') return state;
      return { ...state, screen: { ...state.screen, attempt: event.attempt } };
    case 'redeem_answered': {
      if (!isCurrent(state, event.operation) || state.screen.step !== 'redeeming') return state;
      const { code } = state.screen;
      const verdict = verdictFromResult(code, event.result, state.recent);
      const recent: RecentRedemption | null =
        event.result.outcome === 'redeemed'
          ? {
              code,
              at: event.at,
              redemption: event.result.success.redemption,
              redemptionsLeft: event.result.success.redemptionsLeft,
              discount: event.result.success.discount,
            }
          : state.recent;
      return { ...settled(state, { step: 'verdict', code, verdict }), recent };
    }
    case 'redeem_failed': {
      if (!isCurrent(state, event.operation) || state.request?.kind !== 'redeem') return state;
      const { code, idempotencyKey } = state.request;
      const { failure } = event;
      if (failure.kind === 'rejected') return settled(state, problemFor(code, failure));
      return settled(state, { step: 'unconfirmed', code, idempotencyKey, reason: failure.kind });
    }
    case 'confirmed':
      if (state.screen.step !== 'confirm') return state;
      return redeem(state, state.screen.code, event.idempotencyKey);
    case 'redeem_again': {
      const { screen } = state;
      if (screen.step !== 'verdict' || screen.verdict.outcome !== 'just_redeemed') return state;
      if (screen.code === null || screen.verdict.redemptionsLeft < 1) return state;
      return redeem(state, screen.code, event.idempotencyKey);
    }
    case 'check_again': {
      const { screen } = state;
      if (screen.step !== 'unconfirmed') return state;
      if (!event.online) return { ...state, screen: { ...screen, reason: 'offline' } };
      return redeem(state, screen.code, screen.idempotencyKey);
    }
    case 'dismissed': {
      // a redemption on its way cannot be called back: its answer must be seen
      if (state.screen.step === 'ready' || state.screen.step === 'redeeming') return state;
      const handled =
        state.handled === null ? null : { ...state.handled, seenAt: event.at, missedFrames: 0 };
      return { ...state, screen: { step: 'ready' }, request: null, handled, doubtful: null };
    }
    case 'frame_missed': {
      // counted only while decoding runs, and only as far as the rule needs (no re-render after)
      const { handled } = state;
      if (handled === null || state.screen.step !== 'ready') return state;
      if (handled.missedFrames >= CODE_GONE_FRAMES) return state;
      return { ...state, handled: { ...handled, missedFrames: handled.missedFrames + 1 } };
    }
    case 'redemption_undone':
      return state.recent?.redemption.id === event.redemptionId
        ? { ...state, recent: null }
        : state;
  }
}

function scanned(state: ScanState, event: Extract<ScanEvent, { type: 'scanned' }>): ScanState {
  const { handled } = state;
  if (handled?.text === event.text) {
    // still in view (or back too soon): the same presentation, already decided
    const gone =
      event.at - handled.seenAt >= CODE_GONE_MS && handled.missedFrames >= CODE_GONE_FRAMES;
    if (!gone || state.screen.step !== 'ready') {
      return { ...state, handled: { text: event.text, seenAt: event.at, missedFrames: 0 } };
    }
  }
  // decoding pauses while something is on screen; a read that slips through waits its turn
  if (state.screen.step !== 'ready') return state;

  const read = readScannedText(event.text, event.appHost);
  if (read.kind === 'code') {
    return {
      ...present(state, read.code, event),
      handled: { text: event.text, seenAt: event.at, missedFrames: 0 },
    };
  }
  const reads = state.doubtful?.text === event.text ? state.doubtful.reads + 1 : 1;
  if (reads < NOT_A_COUPON_READS) return { ...state, doubtful: { text: event.text, reads } };
  const verdict: Verdict =
    read.kind === 'check_failed'
      ? bareRefusal('invalid_code', '', true)
      : { outcome: 'not_a_coupon' };
  return {
    ...state,
    screen: { step: 'verdict', code: null, verdict },
    request: null,
    handled: { text: event.text, seenAt: event.at, missedFrames: 0 },
    doubtful: null,
  };
}

/** A code presented by the camera or typed: the reminder, a preview, or a redemption. */
function present(state: ScanState, code: string, presentation: Presentation): ScanState {
  const base = { ...state, doubtful: null };
  const { recent } = state;
  if (recent?.code === code && presentation.at - recent.at < JUST_REDEEMED_MS) {
    return settled(base, { step: 'verdict', code, verdict: justRedeemedVerdict(recent) });
  }
  if (!presentation.online) return settled(base, { step: 'offline', code });
  if (presentation.mode === 'instant') return redeem(base, code, presentation.idempotencyKey);
  const operation = state.operations + 1;
  return {
    ...base,
    screen: { step: 'previewing', code, attempt: 1 },
    request: { operation, kind: 'preview', code },
    operations: operation,
  };
}

function redeem(state: ScanState, code: string, idempotencyKey: string): ScanState {
  const operation = state.operations + 1;
  return {
    ...state,
    screen: { step: 'redeeming', code, attempt: 1 },
    request: { operation, kind: 'redeem', code, idempotencyKey },
    operations: operation,
  };
}

function settled(state: ScanState, screen: Screen): ScanState {
  return { ...state, screen, request: null };
}

function isCurrent(state: ScanState, operation: number): boolean {
  return state.request?.operation === operation;
}

function problemFor(code: string, failure: RequestFailure): Screen {
  const problem = (title: string, message: string): Screen => ({
    step: 'problem',
    code,
    title,
    message,
  });
  if (failure.kind === 'no_answer') {
    return problem(
      'No answer',
      'The server did not answer. Nothing was redeemed. Scan the coupon again.',
    );
  }
  if (failure.kind === 'busy') {
    return problem('Server busy', 'Nothing was redeemed. Try again in a moment.');
  }
  switch (failure.kind === 'rejected' ? failure.code : null) {
    case 'rate_limited':
      return problem(
        'Too many scans',
        'Wait a few seconds, then scan again. Nothing was redeemed.',
      );
    case 'forbidden':
      return problem(
        'Not allowed',
        'This account may not redeem coupons. Sign in with a store staff account.',
      );
    case 'unauthenticated':
      return problem('Signed out', 'Your session ended. Sign in again; nothing was redeemed.');
    default:
      return problem(
        'Not checked',
        'The coupon could not be checked. Nothing was redeemed. Try again in a moment.',
      );
  }
}
