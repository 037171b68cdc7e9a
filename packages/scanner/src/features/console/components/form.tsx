// The pieces the console's forms share: a create form in a panel, a labelled text input, a select
// of fixed choices, the store picker, an enable/disable button, and a confirmation worded per action.
import { useId, type InputHTMLAttributes, type ReactNode, type Ref } from 'react';
import { ConfirmDialog, ErrorNotice, Field } from './ui.tsx';

/** "New …" above a list: a titled panel that sends without reloading and says why it did not. */
export function PanelForm({
  title,
  onSubmit,
  children,
  error,
  status,
  submitLabel,
  busy,
}: {
  title: string;
  onSubmit: () => void;
  children: ReactNode;
  /** The mutation's error, shown as "Not created." */
  error: unknown;
  /** Shown under the error, e.g. what was just created. */
  status?: ReactNode;
  submitLabel: string;
  busy: boolean;
}) {
  const titleId = useId();
  return (
    <form
      className="panel inline-form"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
      aria-labelledby={titleId}
    >
      <h2 id={titleId}>{title}</h2>
      {children}
      <ErrorNotice error={error} title="Not created." />
      {status}
      <button type="submit" className="button button--primary" disabled={busy}>
        {submitLabel}
      </button>
    </form>
  );
}

type InputAttributes = Omit<
  InputHTMLAttributes<HTMLInputElement>,
  'value' | 'onChange' | 'id' | 'aria-invalid' | 'aria-describedby'
>;

interface TextFieldProps extends InputAttributes {
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
  value: string;
  onChange: (value: string) => void;
  inputRef?: Ref<HTMLInputElement>;
}

/** An `<input>` in a Field: its label, hint and error announced with it. */
export function TextField({
  label,
  error,
  hint,
  value,
  onChange,
  inputRef,
  ...input
}: TextFieldProps) {
  return (
    <Field label={label} error={error} hint={hint}>
      {(props) => (
        <input
          {...input}
          {...props}
          ref={inputRef}
          value={value}
          onChange={(event) => {
            onChange(event.target.value);
          }}
        />
      )}
    </Field>
  );
}

/** A `<select>` in a Field, of [value, label] choices. */
export function SelectField<T extends string>({
  label,
  error,
  value,
  onChange,
  choices,
}: {
  label: string;
  error?: string | undefined;
  value: T;
  onChange: (value: T) => void;
  choices: readonly (readonly [T, string])[];
}) {
  return (
    <Field label={label} error={error}>
      {(props) => (
        <select
          {...props}
          value={value}
          onChange={(event) => {
            onChange(event.target.value as T);
          }}
        >
          {choices.map(([choice, text]) => (
            <option key={choice} value={choice}>
              {text}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** The one store a staff user or a staff token works in; '' until chosen. */
export function StoreSelectField({
  stores,
  value,
  onChange,
  error,
}: {
  stores: readonly { id: string; name: string; code: string }[] | undefined;
  value: string;
  onChange: (storeId: string) => void;
  error?: string | undefined;
}) {
  return (
    <SelectField
      label="Store"
      error={error}
      value={value}
      onChange={onChange}
      choices={[
        ['', 'Choose a store'],
        ...(stores ?? []).map((store) => [store.id, `${store.name} (${store.code})`] as const),
      ]}
    />
  );
}

/** "Disable …" (in red) or "Enable …" for a row's user or endpoint. */
export function EnableToggle({
  disabled,
  name,
  onClick,
}: {
  disabled: boolean;
  name: string;
  onClick: () => void;
}) {
  const verb = disabled ? 'Enable' : 'Disable';
  return (
    <button
      type="button"
      className={`button button--small ${disabled ? '' : 'button--danger-outline'}`}
      aria-label={`${verb} ${name}`}
      onClick={onClick}
    >
      {verb}
    </button>
  );
}

/** How a confirmation dialog words one action on a subject. */
export interface ConfirmWording<S> {
  title: (subject: S) => string;
  confirmLabel: string;
  /** Destructive or hard to take back: the red button. */
  danger: boolean;
  explanation: ReactNode;
}

/** ConfirmDialog worded for `action` on `subject`, with the mutation's error as "Not changed." */
export function ConfirmAction<S>({
  wording,
  subject,
  busy,
  error,
  errorTitle = 'Not changed.',
  canConfirm,
  onConfirm,
  onCancel,
  children,
}: {
  wording: ConfirmWording<S>;
  subject: S;
  busy: boolean;
  error: unknown;
  errorTitle?: string;
  canConfirm?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  /** More than the explanation, e.g. a field the action needs. */
  children?: ReactNode;
}) {
  return (
    <ConfirmDialog
      title={wording.title(subject)}
      confirmLabel={wording.confirmLabel}
      danger={wording.danger}
      busy={busy}
      canConfirm={canConfirm ?? true}
      onConfirm={onConfirm}
      onCancel={onCancel}
    >
      {wording.explanation}
      {children}
      <ErrorNotice error={error} title={errorTitle} />
    </ConfirmDialog>
  );
}
