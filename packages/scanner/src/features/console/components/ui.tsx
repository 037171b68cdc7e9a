// Small pieces every console screen uses: the API's error, a labelled field, a confirmation
// dialog, a page heading that sets the document title, an exact instant, a scrolling table,
// "Show more".
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { problemText } from '../api/problem.ts';
import { exactParts } from '../lib/zoned-dates.ts';

/** "31 Dec 2026, 23:59:59 Europe/Berlin = 2026-12-31T22:59:59Z", the UTC part never split. */
export function ExactInstant({ instant, timeZone }: { instant: Date; timeZone: string }) {
  const { local, utc } = exactParts(instant, timeZone);
  return (
    <>
      {local} = <span className="utc-instant">{utc}</span>
    </>
  );
}

export function ErrorNotice({ error, title }: { error: unknown; title?: string }) {
  if (error === null || error === undefined) return null;
  return (
    <div className="error-notice" role="alert">
      {title !== undefined && <strong>{title} </strong>}
      {problemText(error)}
    </div>
  );
}

/** One h1 per page, and the same words in the tab's title. */
export function PageHeading({ children, title }: { children: ReactNode; title: string }) {
  useEffect(() => {
    document.title = `${title} · couponscan console`;
  }, [title]);
  return <h1>{children}</h1>;
}

interface FieldProps {
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
  children: (props: {
    id: string;
    'aria-invalid': boolean;
    'aria-describedby': string | undefined;
  }) => ReactNode;
  className?: string;
}

/** A `<label>`ed control with its hint and its error, both announced with the control. */
export function Field({ label, error, hint, children, className }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy =
    [hint !== undefined ? hintId : null, error !== undefined ? errorId : null]
      .filter((part) => part !== null)
      .join(' ') || undefined;
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': error !== undefined, 'aria-describedby': describedBy })}
      {hint !== undefined && (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
      {error !== undefined && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}

interface ConfirmDialogProps {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** Destructive actions get the red button. */
  danger?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  /** False while the confirmation is not yet possible (e.g. a reason is still empty). */
  canConfirm?: boolean;
}

/** A modal that asks before anything irreversible; Escape or Cancel leaves it. */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  danger = false,
  busy = false,
  onConfirm,
  onCancel,
  canConfirm = true,
}: ConfirmDialogProps) {
  const titleId = useId();
  const panel = useRef<HTMLDivElement>(null);
  const opener = useRef<Element | null>(null);

  useEffect(() => {
    opener.current = document.activeElement;
    const first = panel.current?.querySelector<HTMLElement>(
      'textarea, input, select, button:not([disabled])',
    );
    first?.focus();
    return () => {
      if (opener.current instanceof HTMLElement) opener.current.focus();
    };
  }, []);

  return (
    <div className="dialog-backdrop">
      <div
        ref={panel}
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        onKeyDown={(event) => {
          if (event.key === 'Escape') onCancel();
          if (event.key === 'Tab') keepFocusInside(event, panel.current);
        }}
      >
        <h2 id={titleId}>{title}</h2>
        <div className="dialog-body">{children}</div>
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
          <button
            type="button"
            className={`button ${danger ? 'button--danger' : 'button--primary'}`}
            onClick={onConfirm}
            disabled={busy || !canConfirm}
          >
            {busy ? 'Working…' : confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}

function keepFocusInside(event: React.KeyboardEvent, container: HTMLElement | null) {
  if (container === null) return;
  const focusable = Array.from(
    container.querySelectorAll<HTMLElement>(
      'a[href], button:not([disabled]), textarea, input, select, [tabindex]:not([tabindex="-1"])',
    ),
  );
  const first = focusable[0];
  const last = focusable.at(-1);
  if (first === undefined || last === undefined) return;
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
}

/** A data table in a region that scrolls sideways on a narrow screen (and by keyboard). */
export function DataTable({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-scroll" role="region" aria-label={label} tabIndex={0}>
      <table className="data-table">{children}</table>
    </div>
  );
}

/** The next page of an infinite list, while there is one. */
export function ShowMore({
  pages,
  what,
}: {
  pages: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown };
  what: string;
}) {
  if (!pages.hasNextPage) return null;
  return (
    <button
      type="button"
      className="button show-more"
      disabled={pages.isFetchingNextPage}
      onClick={() => {
        void pages.fetchNextPage();
      }}
    >
      {pages.isFetchingNextPage ? 'Loading…' : `Show more ${what}`}
    </button>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="page-status" role="status">
      Loading {what}…
    </p>
  );
}

const integer = new Intl.NumberFormat();
const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });

export function formatCount(value: number): string {
  return integer.format(value);
}

export function formatRate(rate: number | null): string {
  if (rate === null) return '—';
  // one coupon in 50,000 is not 0 %
  if (rate > 0 && rate < 0.001) return `< ${percent.format(0.001)}`;
  return percent.format(rate);
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge--${status}`}>{status.replace('_', ' ')}</span>;
}
