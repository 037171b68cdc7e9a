// A new API token's secret, shown this once with a copy button; only its hash is stored.
import type { CreatedApiToken } from '@couponscan/shared/api-tokens';
import { useEffect, useRef, useState } from 'react';
import { Field } from './ui.tsx';
import './admin-api-tokens.css';

type CopyState = 'idle' | 'copied' | 'failed';

/** The secret, this once: focus moves here so that keyboard and screen reader users find it. */
export function NewSecretPanel({
  created,
  onDone,
}: {
  created: CreatedApiToken;
  onDone: () => void;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  const secretField = useRef<HTMLInputElement>(null);
  const [copy, setCopy] = useState<CopyState>('idle');

  useEffect(() => {
    heading.current?.focus();
  }, []);

  const copySecret = () => {
    navigator.clipboard.writeText(created.secret).then(
      () => {
        setCopy('copied');
      },
      () => {
        // no clipboard (an insecure context, or refused): select it for Ctrl+C instead
        secretField.current?.select();
        setCopy('failed');
      },
    );
  };

  return (
    <section className="panel new-secret" aria-labelledby="new-secret-title">
      <h2 id="new-secret-title" ref={heading} tabIndex={-1}>
        Token “{created.token.name}” created
      </h2>
      <p className="notice new-secret-warning">
        <strong>Copy the secret now: you will not see it again.</strong> Only its hash is stored. If
        it is lost, revoke the token and create a new one.
      </p>
      <Field
        label="Secret"
        hint={
          <>
            The till sends it as <code className="code">Authorization: Bearer …</code>
          </>
        }
      >
        {(props) => (
          <input
            {...props}
            ref={secretField}
            className="code new-secret-value"
            readOnly
            value={created.secret}
            onFocus={(event) => {
              event.target.select();
            }}
          />
        )}
      </Field>
      <div className="actions-row">
        <button type="button" className="button button--primary" onClick={copySecret}>
          Copy secret
        </button>
        <button type="button" className="button" onClick={onDone}>
          Done, I have stored it
        </button>
      </div>
      <p role="status" className="new-secret-status">
        {copy === 'copied' && 'Copied to the clipboard.'}
        {copy === 'failed' && 'Could not copy: the secret is selected, press Ctrl+C (⌘C).'}
      </p>
    </section>
  );
}
