// Small pieces every console screen uses: the API's error, a labelled field, a confirmation
// dialog, a page heading that sets the document title, an exact instant, a data table that turns
// into cards on a phone, "Show more".
import {
  Children,
  cloneElement,
  createContext,
  isValidElement,
  use,
  useEffect,
  useId,
  useRef,
  type ComponentProps,
  type ReactNode,
} from 'react';
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

/** One column of a DataTable: its header, which is also each cell's label on a card. */
export interface Column {
  label: string;
  /** Figures: right-aligned while it is a table. */
  numeric?: boolean;
  /** The row's buttons: the header is for screen readers only, and on a card the buttons sit
   * at its foot. */
  actions?: boolean;
}

const TableColumns = createContext<readonly Column[]>([]);

/**
 * A data table. Where it has room it is a table, in a region that scrolls sideways if it must
 * (by keyboard too); where it has not (console.css says how narrow), each row is a card of
 * "label: value" lines with its buttons at the foot. `layout="table"` keeps a table of a few
 * short columns a table at every width. The ARIA roles are spelled out because a table whose
 * `display` CSS changes loses its table semantics in some browsers (Safari).
 *
 * Columns may be `false` (left out), as the cells of a row may be.
 */
export function DataTable({
  label,
  caption,
  columns,
  layout = 'cards',
  children,
}: {
  label: string;
  caption?: ReactNode;
  columns: readonly (Column | false)[];
  layout?: 'cards' | 'table';
  /** The rows: DataRow elements (or components that render one). */
  children: ReactNode;
}) {
  const shown = columns.filter((column) => column !== false);
  return (
    <div className={`data-table-frame data-table-frame--${layout}`}>
      <div className="table-scroll" role="region" aria-label={label} tabIndex={0}>
        <table className="data-table" role="table">
          {caption !== undefined && <caption>{caption}</caption>}
          <thead role="rowgroup">
            <tr role="row">
              {shown.map((column) => (
                <th
                  key={column.label}
                  scope="col"
                  role="columnheader"
                  className={column.numeric === true ? 'num' : undefined}
                >
                  {column.actions === true ? (
                    <span className="visually-hidden">{column.label}</span>
                  ) : (
                    column.label
                  )}
                </th>
              ))}
            </tr>
          </thead>
          <tbody role="rowgroup">
            <TableColumns value={shown}>{children}</TableColumns>
          </tbody>
        </table>
      </div>
    </div>
  );
}

/**
 * A row of a DataTable. Its children are its cells, `<td>` or `<th scope="row">`, in the order
 * of the columns: each gets its role and, as `data-label`, its column's header.
 */
export function DataRow({ children, ...attributes }: ComponentProps<'tr'>) {
  const columns = use(TableColumns);
  return (
    <tr role="row" {...attributes}>
      {Children.toArray(children).map((cell, index) => {
        if (!isValidElement<Record<string, unknown>>(cell)) return cell;
        const column = columns[index];
        return cloneElement(cell, {
          role: cell.type === 'th' ? 'rowheader' : 'cell',
          'data-label': column?.label,
          'data-actions': column?.actions === true ? '' : undefined,
        });
      })}
    </tr>
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
