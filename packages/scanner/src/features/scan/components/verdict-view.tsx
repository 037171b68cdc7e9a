// The verdict in words staff can read at arm's length. Colours: green only for REDEEMED, red only
// for ALREADY USED, blue for the "you just redeemed this" reminder, amber for everything else.
// Headlines are short and never break inside a word (styles.css).
import { formatDateTime, formatDiscount, formatRelative, formatTime } from '../../../lib/format.ts';
import type { Verdict, VerdictOutcome } from '../flow/verdicts.ts';

const HEADLINE: Record<VerdictOutcome, string> = {
  redeemed: 'Redeemed',
  already_redeemed: 'Already used',
  just_redeemed: 'You just redeemed this',
  voided: 'Cancelled',
  expired: 'Expired',
  not_yet_valid: 'Not valid yet',
  campaign_paused: 'Offer paused',
  wrong_store: 'Not for this store',
  not_found: 'Unknown code',
  invalid_code: 'Not a coupon code',
  not_a_coupon: 'This QR code is not a coupon',
};

const EXPLANATION: Record<
  Exclude<VerdictOutcome, 'redeemed' | 'already_redeemed' | 'just_redeemed'>,
  string
> = {
  voided: 'This coupon was cancelled by the shop.',
  expired: 'The offer on this coupon has ended.',
  not_yet_valid: 'The offer on this coupon has not started yet.',
  campaign_paused: 'The shop has paused this offer for now.',
  wrong_store: 'This coupon cannot be used in this store.',
  not_found: 'No coupon has this code. Check that it was read or typed correctly.',
  invalid_code: 'This is not a valid coupon code.',
  not_a_coupon: 'It holds something else, such as a web address. Ask for the coupon’s QR code.',
};

const TYPE_HINT = 'If the coupon has a code printed under its QR code, tap Type the code.';

export function VerdictView({ verdict }: { verdict: Verdict }) {
  switch (verdict.outcome) {
    case 'redeemed':
      return (
        <>
          <p className="verdict-headline">{HEADLINE.redeemed}</p>
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
          <p className="verdict-code">{verdict.displayCode}</p>
        </>
      );
    case 'just_redeemed':
      return (
        <>
          <p className="verdict-headline">{HEADLINE.just_redeemed}</p>
          <p className="verdict-instruction">
            at <time dateTime={verdict.redeemedAt}>{formatTime(verdict.redeemedAt)}</time> on this
            phone
          </p>
          <p>
            Do not give the discount twice.
            {verdict.redemptionsLeft > 0
              ? ` It has ${verdict.redemptionsLeft} more ${verdict.redemptionsLeft === 1 ? 'use' : 'uses'}: to use one now, tap Redeem again.`
              : ' It has no uses left.'}
          </p>
          <p className="verdict-small">
            {verdict.campaignName} · {formatDiscount(verdict.discount)}
          </p>
          <p className="verdict-code">{verdict.displayCode}</p>
        </>
      );
    case 'not_a_coupon':
      return (
        <>
          <p className="verdict-headline">{HEADLINE.not_a_coupon}</p>
          <p className="verdict-instruction">Nothing was redeemed.</p>
          <p>{EXPLANATION.not_a_coupon}</p>
          <p className="verdict-small">{TYPE_HINT}</p>
        </>
      );
    default:
      return <Refusal verdict={verdict} />;
  }
}

function Refusal({ verdict }: { verdict: Extract<Verdict, { readLocally: boolean }> }) {
  return (
    <>
      <p className="verdict-headline">{HEADLINE[verdict.outcome]}</p>
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
      ) : verdict.readLocally ? (
        <p>
          The QR code was printed or read wrong (its check character does not match). {TYPE_HINT}
        </p>
      ) : (
        <p>{EXPLANATION[verdict.outcome]}</p>
      )}
      {verdict.outcome === 'wrong_store' && verdict.validStoreNames.length > 0 && (
        <p>
          Valid only at{' '}
          {verdict.validStoreNames.map((name, index) => (
            <span key={name}>
              {index > 0 && (index === verdict.validStoreNames.length - 1 ? ' and ' : ', ')}
              <strong>{name}</strong>
            </span>
          ))}
          .
        </p>
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
      {verdict.displayCode !== '' && <p className="verdict-code">{verdict.displayCode}</p>}
    </>
  );
}
