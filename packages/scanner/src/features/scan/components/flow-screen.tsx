// The full-screen answer to a scan: checking, the coupon to confirm, the verdict, or why there is
// none. One live region (always in the page, so screen readers announce changes to it) carries
// the words; the verdict element is that region, marked with data-outcome.
import { useEffect, useRef, type ReactNode } from 'react';
import { formatDateTime, formatDiscount } from '../../../lib/format.ts';
import type { ScanFlow, ScanFlowControls } from '../hooks/use-scan-flow.ts';
import { verdictTone } from '../hooks/use-scan-flow.ts';
import { VerdictView } from './verdict-view.tsx';

type Tone = 'neutral' | 'success' | 'refused' | 'warning';

function toneOf(flow: ScanFlow): Tone {
  switch (flow.step) {
    case 'verdict':
      return verdictTone(flow.verdict.outcome);
    case 'unconfirmed':
    case 'offline':
    case 'problem':
      return 'warning';
    default:
      return 'neutral';
  }
}

export function FlowScreen({ controls }: { controls: ScanFlowControls }) {
  const { flow } = controls;
  const open = flow.step !== 'ready';
  const primaryRef = useRef<HTMLButtonElement>(null);
  const returnFocusRef = useRef<Element | null>(null);

  useEffect(() => {
    if (!open) {
      const previous = returnFocusRef.current;
      returnFocusRef.current = null;
      if (previous instanceof HTMLElement && previous.isConnected) previous.focus();
      return;
    }
    returnFocusRef.current ??= document.activeElement;
    primaryRef.current?.focus();
  }, [open, flow.step]);

  const onKeyDown = (event: React.KeyboardEvent) => {
    if (event.key === 'Escape' && flow.step !== 'redeeming') controls.dismiss();
  };

  return (
    <div
      className={open ? 'flow-screen is-open' : 'flow-screen'}
      data-tone={toneOf(flow)}
      onKeyDown={onKeyDown}
    >
      <div
        className="flow-message"
        role="status"
        aria-live="assertive"
        aria-atomic="true"
        data-step={flow.step}
        data-outcome={flow.step === 'verdict' ? flow.verdict.outcome : undefined}
      >
        <FlowMessage flow={flow} />
      </div>
      {open && (
        <div className="flow-actions">
          <FlowActions controls={controls} primaryRef={primaryRef} />
        </div>
      )}
    </div>
  );
}

function FlowMessage({ flow }: { flow: ScanFlow }): ReactNode {
  switch (flow.step) {
    case 'ready':
      return null;
    case 'previewing':
      return (
        <>
          <p className="verdict-headline verdict-headline--busy">Checking…</p>
          {flow.attempt > 1 && <p>The network is slow; still trying.</p>}
        </>
      );
    case 'confirm': {
      const { preview } = flow;
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
      return flow.attempt === 1 ? (
        <p className="verdict-headline verdict-headline--busy">Redeeming…</p>
      ) : (
        <>
          <p className="verdict-headline verdict-headline--busy">Checking…</p>
          <p>
            No answer yet, trying again (attempt {flow.attempt}). It will not be redeemed twice.
          </p>
        </>
      );
    case 'verdict':
      return <VerdictView verdict={flow.verdict} />;
    case 'unconfirmed':
      return (
        <>
          <p className="verdict-headline">Not confirmed</p>
          <p className="verdict-instruction">Do not give the discount yet.</p>
          <p>
            {flow.offline
              ? 'You are offline, so we do not know whether the coupon was redeemed. When the connection is back, tap Check again.'
              : 'The server did not answer, so we do not know whether the coupon was redeemed. Tap Check again.'}{' '}
            Checking again never redeems it twice.
          </p>
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
          <p className="verdict-headline">{flow.title}</p>
          <p>{flow.message}</p>
        </>
      );
  }
}

function FlowActions({
  controls,
  primaryRef,
}: {
  controls: ScanFlowControls;
  primaryRef: React.RefObject<HTMLButtonElement | null>;
}): ReactNode {
  const { flow } = controls;
  switch (flow.step) {
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
            ref={flow.step === 'confirm' ? primaryRef : undefined}
            disabled={flow.step !== 'confirm'}
            onClick={controls.confirmRedeem}
          >
            Redeem
          </button>
          <button
            key="cancel"
            type="button"
            className="button button--secondary"
            ref={flow.step === 'previewing' ? primaryRef : undefined}
            onClick={controls.dismiss}
          >
            Cancel
          </button>
        </>
      );
    case 'redeeming':
      return flow.attempt === 1 ? null : (
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
    case 'verdict':
      return (
        <button
          key="scan-next"
          type="button"
          className="button button--primary"
          ref={primaryRef}
          onClick={controls.dismiss}
        >
          Scan next
        </button>
      );
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
