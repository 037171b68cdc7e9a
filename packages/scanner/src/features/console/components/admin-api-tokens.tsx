// Administration: API tokens for tills and other programs. Create one with a role (and a store for
// staff); its secret is shown once, with a copy button; list them (never their secrets); revoke
// one after a confirmation, which refuses its very next request.
import {
  API_TOKEN_ROLES,
  CreateApiTokenBodySchema,
  type ApiToken,
  type ApiTokenRole,
  type CreatedApiToken,
} from '@couponscan/shared/api-tokens';
import { useEffect, useRef, useState, type SubmitEvent } from 'react';
import { isApiError } from '../../../lib/api-client.ts';
import { useApiTokens, useCreateApiToken, useRevokeApiToken } from '../api/api-tokens.ts';
import { useStores } from '../api/campaigns.ts';
import { formatInstant } from '../lib/display.ts';
import { serverFieldErrors, validate, type FieldErrors } from '../lib/validation.ts';
import {
  ConfirmDialog,
  DataRow,
  DataTable,
  ErrorNotice,
  Field,
  Loading,
  PageHeading,
} from './ui.tsx';
import './admin-api-tokens.css';

const ROLE_LABELS: Record<ApiTokenRole, string> = {
  staff: 'staff (redeems in one store)',
  marketer: 'marketer (reads campaigns and figures)',
};

function CreateTokenForm({
  onCreated,
  focusName,
}: {
  onCreated: (created: CreatedApiToken) => void;
  /** Back from the show-once panel: keyboard focus returns to the form, not to the page's top. */
  focusName: boolean;
}) {
  const create = useCreateApiToken();
  const nameField = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (focusName) nameField.current?.focus();
  }, [focusName]);
  const stores = useStores();
  const [name, setName] = useState('');
  const [role, setRole] = useState<ApiTokenRole>('staff');
  const [storeId, setStoreId] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const body = {
      name: name.trim(),
      role,
      storeId: role === 'staff' ? storeId || null : null,
    };
    const found = validate(CreateApiTokenBodySchema, body);
    if (role === 'staff' && storeId === '')
      found['/storeId'] = 'A staff token redeems in one store: choose it.';
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    create.mutate(body, {
      onSuccess: (created) => {
        setName('');
        onCreated(created);
        // the secret lives in the show-once panel only, not in this mutation's state
        create.reset();
      },
      onError: (error) => {
        if (isApiError(error)) setErrors(serverFieldErrors(error.problem.errors));
      },
    });
  };

  return (
    <form
      className="panel inline-form"
      noValidate
      onSubmit={submit}
      aria-labelledby="new-token-title"
    >
      <h2 id="new-token-title">New API token</h2>
      <div className="field-row">
        <Field
          label="Name"
          error={errors['/name']}
          hint="Where it is used, e.g. Till 2, Hafenstrasse."
        >
          {(props) => (
            <input
              {...props}
              ref={nameField}
              value={name}
              maxLength={100}
              autoComplete="off"
              onChange={(event) => {
                setName(event.target.value);
              }}
            />
          )}
        </Field>
        <Field label="Role" error={errors['/role']}>
          {(props) => (
            <select
              {...props}
              value={role}
              onChange={(event) => {
                setRole(event.target.value as ApiTokenRole);
              }}
            >
              {API_TOKEN_ROLES.map((value) => (
                <option key={value} value={value}>
                  {ROLE_LABELS[value]}
                </option>
              ))}
            </select>
          )}
        </Field>
        {role === 'staff' && (
          <Field label="Store" error={errors['/storeId']}>
            {(props) => (
              <select
                {...props}
                value={storeId}
                onChange={(event) => {
                  setStoreId(event.target.value);
                }}
              >
                <option value="">Choose a store</option>
                {(stores.data ?? []).map((store) => (
                  <option key={store.id} value={store.id}>
                    {store.name} ({store.code})
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
      </div>
      <ErrorNotice error={create.error} title="Not created." />
      <button type="submit" className="button button--primary" disabled={create.isPending}>
        Create token
      </button>
    </form>
  );
}

type CopyState = 'idle' | 'copied' | 'failed';

/** The secret, this once: focus moves here so that keyboard and screen reader users find it. */
function NewSecretPanel({ created, onDone }: { created: CreatedApiToken; onDone: () => void }) {
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

function TokenState({ token }: { token: ApiToken }) {
  if (token.revokedAt !== null) {
    return (
      <>
        <span className="badge badge--voided">revoked</span>{' '}
        <span className="small">{formatInstant(token.revokedAt)}</span>
      </>
    );
  }
  return <>active</>;
}

export default function AdminApiTokens() {
  const tokens = useApiTokens();
  const revoke = useRevokeApiToken();
  const [created, setCreated] = useState<CreatedApiToken | null>(null);
  const [shownSecret, setShownSecret] = useState(false);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);

  return (
    <section className="console-page">
      <PageHeading title="API tokens">API tokens</PageHeading>
      <p>
        A till or another program calls the API with a token instead of a person’s sign-in. It can
        do what its role can: a staff token redeems in its store, a marketer token reads campaigns
        and figures. Revoking one refuses its very next request.
      </p>
      {created === null ? (
        <CreateTokenForm onCreated={setCreated} focusName={shownSecret} />
      ) : (
        <NewSecretPanel
          created={created}
          onDone={() => {
            setCreated(null);
            setShownSecret(true);
          }}
        />
      )}
      <ErrorNotice error={tokens.error} />
      {tokens.isPending && <Loading what="API tokens" />}
      {tokens.data !== undefined && tokens.data.length === 0 && (
        <p className="empty-state">No API tokens yet.</p>
      )}
      {tokens.data !== undefined && tokens.data.length > 0 && (
        <DataTable
          label="API tokens"
          columns={[
            { label: 'Name' },
            { label: 'Role' },
            { label: 'Store' },
            { label: 'Starts with' },
            { label: 'Created' },
            { label: 'Last used' },
            { label: 'State' },
            { label: 'Actions', actions: true },
          ]}
        >
          {tokens.data.map((token) => (
            <DataRow key={token.id} data-token={token.name}>
              <th scope="row">{token.name}</th>
              <td>{token.role}</td>
              <td>{token.storeName ?? '—'}</td>
              <td className="code">{token.prefix}…</td>
              <td>
                {formatInstant(token.createdAt)}
                {token.createdByName !== null && (
                  <span className="small"> by {token.createdByName}</span>
                )}
              </td>
              <td>{token.lastUsedAt === null ? 'never' : formatInstant(token.lastUsedAt)}</td>
              <td>
                <TokenState token={token} />
              </td>
              <td>
                {token.revokedAt === null && (
                  <button
                    type="button"
                    className="button button--small button--danger-outline"
                    aria-label={`Revoke ${token.name}`}
                    onClick={() => {
                      revoke.reset();
                      setRevoking(token);
                    }}
                  >
                    Revoke
                  </button>
                )}
              </td>
            </DataRow>
          ))}
        </DataTable>
      )}
      {revoking !== null && (
        <ConfirmDialog
          title={`Revoke ${revoking.name}?`}
          confirmLabel="Revoke"
          danger
          busy={revoke.isPending}
          onCancel={() => {
            setRevoking(null);
          }}
          onConfirm={() => {
            revoke.mutate(revoking.id, {
              onSuccess: () => {
                setRevoking(null);
              },
            });
          }}
        >
          <p>
            Its very next request is refused, on every server. This cannot be undone: a till that
            still needs access gets a new token.
          </p>
          <ErrorNotice error={revoke.error} title="Not revoked." />
        </ConfirmDialog>
      )}
    </section>
  );
}
