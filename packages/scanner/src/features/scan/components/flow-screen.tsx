// The full-screen answer to a scan: checking, the coupon to confirm, the verdict, or why there is
// none. One live region (always in the page, so screen readers announce changes to it) carries
// the words; the verdict element is that region, marked with data-outcome.
import { useLayoutEffect, useRef, type ReactNode, type RefObject } from 'react';
import { formatDateTime, formatDiscount } from '../../../lib/format.ts';
import type { Screen } from '../flow/scan-flow.ts';
import { verdictTone, type VerdictTone } from '../flow/verdicts.ts';
import type { ScanFlowControls } from '../hooks/use-scan-flow.ts';
import { AutoReturn } from './auto-return.tsx';
import { VerdictView } from './verdict-view.tsx';

type Tone = 'neutral' | VerdictTone;

function toneOf(screen: Screen): Tone {
  switch (screen.step) {
    case 'verdict':
      return verdictTone(screen.verdict.outcome);
    case 'unconfirmed':
    case 'offline':
    case 'problem':
      return 'warning';
    default:
      return 'neutral';
  }
}

export function FlowScreen({
  controls,
  autoReturn,
  onTypeCode,
}: {
  controls: ScanFlowControls;
  /** The device setting: a REDEEMED verdict closes itself after a countdown. */
  autoReturn: boolean;
  /** Close and put the cursor in the code field (for codes the camera cannot read). */
  onTypeCode: () => void;
}) {
  const { screen } = controls;
  const open = screen.step !== 'ready';
  const primaryRef = useRef<HTMLButtonElement>(null);
  const returnFocusRef = useRef<Element | null>(null);

  // a layout effect: focus has moved by the time the screen is painted (and a test sees it)
  useLayoutEffect(() => {
    if (!open) {
      const previous = returnFocusRef.current;
      returnFocusRef.current = null;
      if (previous instanceof HTMLElement && previous.isConnected) previous.focus();
      return;
    }
    returnFocusRef.current ??= document.activeElement;
    primaryRef.current?.focus();
  }, [open, screen]);

  const onKeyDown = (event: React.KeyboardEvent) => {
    if (event.key === 'Escape' && screen.step !== 'redeeming') controls.dismiss();
  };

  return (
    <div
      className={open ? 'flow-screen is-open' : 'flow-screen'}
      data-tone={toneOf(screen)}
      onKeyDown={onKeyDown}
    >
      <div
        className="flow-message"
        role="status"
        aria-live="assertive"
        aria-atomic="true"
        data-step={screen.step}
        data-outcome={screen.step === 'verdict' ? screen.verdict.outcome : undefined}
      >
        <FlowMessage screen={screen} />
      </div>
      {open && (
        <div className="flow-actions">
          <FlowActions controls={controls} primaryRef={primaryRef} onTypeCode={onTypeCode} />
          {autoReturn && screen.step === 'verdict' && screen.verdict.outcome === 'redeemed' && (
            <AutoReturn key={screen.verdict.redemption.id} onDone={controls.dismiss} />
          )}
        </div>
      )}
    </div>
  );
}

function FlowMessage({ screen }: { screen: Screen }): ReactNode {
  switch (screen.step) {
    case 'ready':
      return null;
    case 'previewing':
      return (
        <>
          <p className="verdict-headline verdict-headline--busy">Checking…</p>
          {screen.attempt > 1 && <p>The network is slow; still trying.</p>}
        </>
      );
    case 'confirm': {
      const { preview } = screen;
      const { campaign } = preview;
      return (
        <>
          <p className="verdict-small">Valid coupon — redeem it?</p>
          <p className="verdict-discount">{formatDiscount(campaign.discount)}</p>
          <p>{campaign.name}</p>
          {campaign.discount.type !== 'free_item' && campaign.discount.description !== '' && (
            <p className="verdict-small">{campaign.discount.description}</p>
          )}
          {campaign.validUntil !== null && (
            <p className="verdict-small">Valid until {formatDateTime(campaign.validUntil)}</p>
          )}
          {preview.redemptionsLeft > 1 && (
            <p className="verdict-small">{preview.redemptionsLeft} uses left</p>
          )}
          <p className="verdict-code">{preview.coupon.displayCode}</p>
        </>
      );
    }
    case 'redeeming':
      return screen.attempt === 1 ? (
        <p className="verdict-headline verdict-headline--busy">Redeeming…</p>
      ) : (
        <>
          <p className="verdict-headline verdict-headline--busy">Checking…</p>
          <p>
            No answer yet, trying again (attempt {screen.attempt}). It will not be redeemed twice.
          </p>
        </>
      );
    case 'verdict':
      return <VerdictView verdict={screen.verdict} />;
    case 'unconfirmed':
      return (
        <>
          <p className="verdict-headline">Not confirmed</p>
          <p className="verdict-instruction">Do not give the discount yet.</p>
          <p>{UNCONFIRMED_TEXT[screen.reason]} Checking again never redeems it twice.</p>
        </>
      );
    case 'offline':
      return (
        <>
          <p className="verdict-headline">Offline</p>
          <p className="verdict-instruction">Nothing was redeemed.</p>
          <p>Coupons can only be checked online. Connect to the internet, then scan again.</p>
        </>
      );
    case 'problem':
      return (
        <>
          <p className="verdict-headline">{screen.title}</p>
          <p>{screen.message}</p>
        </>
      );
  }
}

const UNCONFIRMED_TEXT: Record<Extract<Screen, { step: 'unconfirmed' }>['reason'], string> = {
  offline:
    'You are offline, so we do not know whether the coupon was redeemed. When the connection is back, tap Check again.',
  no_answer:
    'The server did not answer, so we do not know whether the coupon was redeemed. Tap Check again.',
  busy: 'The server is busy right now. Wait a moment, then try again: tap Check again.',
};

function FlowActions({
  controls,
  primaryRef,
  onTypeCode,
}: {
  controls: ScanFlowControls;
  primaryRef: RefObject<HTMLButtonElement | null>;
  onTypeCode: () => void;
}): ReactNode {
  const { screen } = controls;
  switch (screen.step) {
    case 'ready':
      return null;
    case 'previewing':
    case 'confirm':
      // The same two buttons in the same places while loading and when ready, so that a tap on
      // Cancel can never land on Redeem as the preview arrives.
      return (
        <>
          <button
            key="redeem"
            type="button"
            className="button button--redeem"
            ref={screen.step === 'confirm' ? primaryRef : undefined}
            disabled={screen.step !== 'confirm'}
            onClick={controls.confirmRedeem}
          >
            Redeem
          </button>
          <button
            key="cancel"
            type="button"
            className="button button--secondary"
            ref={screen.step === 'previewing' ? primaryRef : undefined}
            onClick={controls.dismiss}
          >
            Cancel
          </button>
        </>
      );
    case 'redeeming':
      return screen.attempt === 1 ? null : (
        <button
          key="stop"
          type="button"
          className="button button--secondary"
          ref={primaryRef}
          onClick={controls.stopChecking}
        >
          Stop trying
        </button>
      );
    case 'unconfirmed':
      return (
        <>
          <button
            key="check-again"
            type="button"
            className="button button--primary"
            ref={primaryRef}
            onClick={controls.checkAgain}
          >
            Check again
          </button>
          <button
            key="close"
            type="button"
            className="button button--secondary"
            onClick={controls.dismiss}
          >
            Close
          </button>
        </>
      );
    case 'verdict': {
      const { verdict } = screen;
      const typeInstead =
        verdict.outcome === 'not_a_coupon' ||
        (verdict.outcome === 'invalid_code' && verdict.readLocally);
      return (
        <>
          <button
            key="scan-next"
            type="button"
            className="button button--primary"
            ref={primaryRef}
            onClick={controls.dismiss}
          >
            Scan next
          </button>
          {verdict.outcome === 'just_redeemed' && verdict.redemptionsLeft > 0 && (
            <button
              key="redeem-again"
              type="button"
              className="button button--secondary"
              onClick={controls.redeemAgain}
            >
              Redeem again
            </button>
          )}
          {typeInstead && (
            <button
              key="type-code"
              type="button"
              className="button button--secondary"
              onClick={onTypeCode}
            >
              Type the code
            </button>
          )}
        </>
      );
    }
    case 'offline':
    case 'problem':
      return (
        <button
          key="close"
          type="button"
          className="button button--primary"
          ref={primaryRef}
          onClick={controls.dismiss}
        >
          Close
        </button>
      );
  }
}
