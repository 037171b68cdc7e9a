// This device's latest redemptions; each can be undone, with a reason, within the undo window.
import type { LedgerEntry } from '@couponscan/shared/redemptions';
import { useEffect, useId, useState, type SubmitEvent } from 'react';
import { isApiError, TransportError } from '../../../lib/api-client.ts';
import { formatTime } from '../../../lib/format.ts';
import type { RecentRedemptions as Recent } from '../hooks/use-recent-redemptions.ts';

const REASONS = ['Scanned by mistake', 'Customer changed their mind', 'Wrong coupon'];

function undoErrorText(error: unknown): string {
  if (isApiError(error, 'undo_window_passed'))
    return 'Too late to undo: the undo window has passed.';
  if (isApiError(error, 'already_reversed')) return 'This redemption was already undone.';
  if (isApiError(error, 'forbidden')) return 'You may only undo your own redemptions.';
  if (error instanceof TransportError) return 'No answer from the server. Try again.';
  return 'Could not undo. Try again.';
}

/** Ticks every 30 seconds so Undo buttons disappear when their window closes. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => {
      setNow(Date.now());
    }, 30_000);
    return () => {
      clearInterval(timer);
    };
  }, []);
  return now;
}

export function RecentRedemptions({
  recent,
  undoWindowMinutes,
  onUndone,
}: {
  recent: Recent;
  undoWindowMinutes: number;
  onUndone: (redemptionId: string) => void;
}) {
  const now = useNow();
  const [undoing, setUndoing] = useState<string | null>(null);

  return (
    <section className="recent" aria-labelledby="recent-heading" data-state={recent.status}>
      <h2 id="recent-heading">Last redemptions on this device</h2>
      {recent.loadFailed && (
        <p className="field-problem">
          Could not load the list.{' '}
          <button type="button" className="link-button" onClick={recent.reload}>
            Retry
          </button>
        </p>
      )}
      {recent.entries.length === 0 ? (
        <p className="muted">{recent.status === 'loading' ? 'Loading…' : 'None yet.'}</p>
      ) : (
        <ul className="recent-list">
          {recent.entries.map((entry) => {
            // The server's deadline when it gave one; older answers fall back to the window.
            const undoUntil =
              entry.undoableUntil === null
                ? new Date(entry.createdAt).getTime() + undoWindowMinutes * 60_000
                : new Date(entry.undoableUntil).getTime();
            return (
              <RecentEntry
                key={entry.id}
                entry={entry}
                canUndo={entry.reversedById === null && undoUntil > now}
                undoing={undoing === entry.id}
                onStartUndo={() => {
                  setUndoing(entry.id);
                }}
                onEndUndo={() => {
                  setUndoing(null);
                }}
                undo={async (id, reason) => {
                  const reversal = await recent.undo(id, reason);
                  onUndone(id);
                  return reversal;
                }}
              />
            );
          })}
        </ul>
      )}
    </section>
  );
}

function RecentEntry({
  entry,
  canUndo,
  undoing,
  onStartUndo,
  onEndUndo,
  undo,
}: {
  entry: LedgerEntry;
  canUndo: boolean;
  undoing: boolean;
  onStartUndo: () => void;
  onEndUndo: () => void;
  undo: Recent['undo'];
}) {
  const reversed = entry.reversedById !== null;
  const time = formatTime(entry.createdAt);
  return (
    <li className="recent-entry" data-redemption-id={entry.id} data-reversed={reversed}>
      <div className="recent-entry-main">
        <span className="recent-code">{entry.displayCode}</span>
        <span className="muted">
          <time dateTime={entry.createdAt}>{time}</time> · {entry.campaignName}
        </span>
        {reversed && <span className="badge">Undone</span>}
      </div>
      {canUndo && !undoing && (
        <button
          type="button"
          className="button button--small recent-undo"
          onClick={onStartUndo}
          aria-label={`Undo redemption of ${entry.displayCode} at ${time}`}
        >
          Undo
        </button>
      )}
      {canUndo && undoing && <UndoForm entry={entry} undo={undo} onDone={onEndUndo} />}
    </li>
  );
}

function UndoForm({
  entry,
  undo,
  onDone,
}: {
  entry: LedgerEntry;
  undo: Recent['undo'];
  onDone: () => void;
}) {
  const id = useId();
  const [reason, setReason] = useState(REASONS[0] ?? '');
  const [other, setOther] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const text = reason === 'other' ? other.trim() : reason;
    if (text === '') {
      setProblem('Say why it is undone.');
      return;
    }
    setBusy(true);
    undo(entry.id, text).then(onDone, (error: unknown) => {
      setBusy(false);
      setProblem(undoErrorText(error));
    });
  };

  return (
    <form className="undo-form" onSubmit={submit}>
      <fieldset>
        <legend>Why undo {entry.displayCode}?</legend>
        {[...REASONS, 'other'].map((option) => (
          <label key={option} className="choice">
            <input
              type="radio"
              name={`${id}-reason`}
              value={option}
              checked={reason === option}
              onChange={() => {
                setReason(option);
              }}
            />
            {option === 'other' ? 'Other' : option}
          </label>
        ))}
        {reason === 'other' && (
          <input
            aria-label="Other reason"
            value={other}
            maxLength={500}
            onChange={(event) => {
              setOther(event.target.value);
            }}
          />
        )}
      </fieldset>
      {problem !== null && (
        <p className="field-problem" role="alert">
          {problem}
        </p>
      )}
      <div className="undo-actions">
        <button type="submit" className="button button--danger" disabled={busy}>
          {busy ? 'Undoing…' : 'Undo redemption'}
        </button>
        <button type="button" className="button button--secondary" onClick={onDone} disabled={busy}>
          Keep it
        </button>
      </div>
    </form>
  );
}
