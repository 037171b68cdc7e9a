// The verdict in words staff can read at arm's length. Colours: green only for REDEEMED, red only
// for ALREADY USED, amber for every other refusal (see issue 3).
import { formatDateTime, formatDiscount, formatRelative, formatTime } from '../../../lib/format.ts';
import type { Verdict } from '../hooks/use-scan-flow.ts';

const HEADLINE: Record<Verdict['outcome'], string> = {
  redeemed: 'Redeemed',
  already_redeemed: 'Already used',
  voided: 'Cancelled',
  expired: 'Expired',
  not_yet_valid: 'Not valid yet',
  campaign_paused: 'Offer paused',
  wrong_store: 'Not for this store',
  not_found: 'Unknown code',
  invalid_code: 'Not a coupon code',
};

const EXPLANATION: Record<Exclude<Verdict['outcome'], 'redeemed' | 'already_redeemed'>, string> = {
  voided: 'This coupon was cancelled by the shop.',
  expired: 'The offer on this coupon has ended.',
  not_yet_valid: 'The offer on this coupon has not started yet.',
  campaign_paused: 'The shop has paused this offer for now.',
  wrong_store: 'This coupon cannot be used in this store.',
  not_found: 'No coupon has this code. Check that it was read or typed correctly.',
  invalid_code: 'This is not a valid coupon code.',
};

export function VerdictView({ verdict }: { verdict: Verdict }) {
  return (
    <>
      <p className="verdict-headline">{HEADLINE[verdict.outcome]}</p>
      {verdict.outcome === 'redeemed' ? (
        <>
          <p className="verdict-discount">{formatDiscount(verdict.discount)}</p>
          <p>{verdict.campaignName}</p>
          {verdict.redemptionsLeft > 0 && (
            <p>
              {verdict.redemptionsLeft} more {verdict.redemptionsLeft === 1 ? 'use' : 'uses'} left
            </p>
          )}
          <p className="verdict-small">
            You can undo this until {formatTime(verdict.undoableUntil)}.
          </p>
        </>
      ) : (
        <>
          <p className="verdict-instruction">Do not give the discount.</p>
          {verdict.outcome === 'already_redeemed' ? (
            verdict.earlierRedemptions.length === 0 ? (
              <p>This coupon has no uses left.</p>
            ) : (
              <ul className="verdict-earlier">
                {verdict.earlierRedemptions.map((earlier) => (
                  <li key={earlier.redemptionId}>
                    Used <strong>{formatRelative(earlier.redeemedAt)}</strong> (
                    <time dateTime={earlier.redeemedAt}>{formatDateTime(earlier.redeemedAt)}</time>)
                    <br />
                    at <strong>{earlier.storeName}</strong> by <strong>{earlier.userName}</strong>
                  </li>
                ))}
              </ul>
            )
          ) : (
            <p>{EXPLANATION[verdict.outcome]}</p>
          )}
          {verdict.outcome === 'expired' && verdict.validUntil !== null && (
            <p>
              Ended <time dateTime={verdict.validUntil}>{formatDateTime(verdict.validUntil)}</time>.
            </p>
          )}
          {verdict.outcome === 'not_yet_valid' && verdict.validFrom !== null && (
            <p>
              Starts <time dateTime={verdict.validFrom}>{formatDateTime(verdict.validFrom)}</time>.
            </p>
          )}
          {verdict.campaignName !== null && (
            <p className="verdict-small">
              {verdict.campaignName}
              {verdict.discount !== null && ` · ${formatDiscount(verdict.discount)}`}
            </p>
          )}
        </>
      )}
      <p className="verdict-code">{verdict.displayCode}</p>
    </>
  );
}
