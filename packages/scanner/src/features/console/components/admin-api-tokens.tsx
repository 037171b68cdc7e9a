// Administration: API tokens for tills and other programs. Create one with a role (and a store for
// staff); its secret is shown once, with a copy button; list them (never their secrets); revoke
// one after a confirmation, which refuses its very next request.
import type { ApiToken, CreatedApiToken } from '@couponscan/shared/api-tokens';
import { useState } from 'react';
import { useApiTokens, useRevokeApiToken } from '../api/api-tokens.ts';
import { useAsking } from '../hooks/use-asking.ts';
import { formatInstant } from '../lib/display.ts';
import { CreateTokenForm } from './api-token-form.tsx';
import { NewSecretPanel } from './api-token-secret.tsx';
import { ConfirmAction, type ConfirmWording } from './form.tsx';
import { DataRow, DataTable, ErrorNotice, Loading, PageHeading } from './ui.tsx';

const REVOKE: ConfirmWording<ApiToken> = {
  title: (token) => `Revoke ${token.name}?`,
  confirmLabel: 'Revoke',
  danger: true,
  explanation: (
    <p>
      Its very next request is refused, on every server. This cannot be undone: a till that still
      needs access gets a new token.
    </p>
  ),
};

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
  const { asking: revoking, ask, close } = useAsking<ApiToken>(revoke);

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
                      ask(token);
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
        <ConfirmAction
          wording={REVOKE}
          subject={revoking}
          busy={revoke.isPending}
          error={revoke.error}
          errorTitle="Not revoked."
          onCancel={close}
          onConfirm={() => {
            revoke.mutate(revoking.id, { onSuccess: close });
          }}
        />
      )}
    </section>
  );
}
