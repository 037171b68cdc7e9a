// Administration: webhook endpoints. Register a URL for some events (its signing secret is shown
// once), disable or enable, rotate the secret, delete; and each endpoint's delivery log with every
// attempt, where a delivery can be re-sent. docs/webhooks.md says what a receiver gets.
import type { WebhookEndpoint, WebhookEndpointWithSecret } from '@couponscan/shared/webhooks';
import { useState } from 'react';
import {
  useDeleteWebhookEndpoint,
  useRotateWebhookSecret,
  useUpdateWebhookEndpoint,
  useWebhookEndpoints,
} from '../api/webhooks.ts';
import { useAsking } from '../hooks/use-asking.ts';
import { ConfirmAction, EnableToggle, type ConfirmWording } from './form.tsx';
import { DataRow, DataTable, ErrorNotice, Loading, PageHeading } from './ui.tsx';
import { DeliveryLog } from './webhook-deliveries.tsx';
import { CreateEndpointForm, SecretOnce } from './webhook-endpoint-form.tsx';

type Action = 'disable' | 'enable' | 'rotate' | 'delete';

const WORDING: Record<Action, ConfirmWording<WebhookEndpoint>> = {
  disable: {
    title: (endpoint) => `Disable ${endpoint.url}?`,
    confirmLabel: 'Disable',
    danger: true,
    explanation: (
      <p>It gets no new events, and deliveries still waiting for a retry are given up.</p>
    ),
  },
  enable: {
    title: (endpoint) => `Enable ${endpoint.url}?`,
    confirmLabel: 'Enable',
    danger: false,
    explanation: <p>It gets new events again.</p>,
  },
  rotate: {
    title: (endpoint) => `Rotate the secret of ${endpoint.url}?`,
    confirmLabel: 'Rotate secret',
    danger: true,
    explanation: (
      <p>The old secret stops signing at once: update the receiver with the new one, shown next.</p>
    ),
  },
  delete: {
    title: (endpoint) => `Delete ${endpoint.url}?`,
    confirmLabel: 'Delete',
    danger: true,
    explanation: <p>The endpoint and its delivery log are deleted. This cannot be undone.</p>,
  },
};

export default function AdminWebhooks() {
  const endpoints = useWebhookEndpoints();
  const update = useUpdateWebhookEndpoint();
  const rotate = useRotateWebhookSecret();
  const remove = useDeleteWebhookEndpoint();
  const { asking, ask, close } = useAsking<{ action: Action; endpoint: WebhookEndpoint }>(
    update,
    rotate,
    remove,
  );
  const [secret, setSecret] = useState<WebhookEndpointWithSecret | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const selected = endpoints.data?.find((e) => e.id === selectedId);
  const busy = update.isPending || rotate.isPending || remove.isPending;
  const failure = update.error ?? rotate.error ?? remove.error;

  const confirm = () => {
    if (asking === null) return;
    const { action, endpoint } = asking;
    if (action === 'delete') {
      remove.mutate(endpoint.id, {
        onSuccess: () => {
          if (selectedId === endpoint.id) setSelectedId(null);
          close();
        },
      });
    } else if (action === 'rotate') {
      rotate.mutate(endpoint.id, {
        onSuccess: (withSecret) => {
          setSecret(withSecret);
          close();
        },
      });
    } else {
      update.mutate(
        { id: endpoint.id, body: { enabled: action === 'enable' } },
        { onSuccess: close },
      );
    }
  };

  return (
    <section className="console-page">
      <PageHeading title="Webhooks">Webhooks</PageHeading>
      <p>
        Your systems are told of redemptions, undos, voided coupons and finished batches by a signed
        POST to each endpoint; failed deliveries are retried for 24 hours.
      </p>
      {secret !== null && (
        <SecretOnce
          endpoint={secret}
          onDone={() => {
            setSecret(null);
          }}
        />
      )}
      <CreateEndpointForm onCreated={setSecret} />
      <ErrorNotice error={endpoints.error} />
      {endpoints.isPending && <Loading what="webhook endpoints" />}
      {endpoints.data?.length === 0 && <p>No endpoints yet.</p>}
      {endpoints.data !== undefined && endpoints.data.length > 0 && (
        <DataTable
          label="Webhook endpoints"
          columns={[
            { label: 'URL' },
            { label: 'Events' },
            { label: 'State' },
            { label: 'Actions', actions: true },
          ]}
        >
          {endpoints.data.map((endpoint) => (
            <DataRow key={endpoint.id} data-endpoint={endpoint.url}>
              <th scope="row">
                {endpoint.url}
                {endpoint.description !== '' && (
                  <>
                    <br />
                    <span className="muted">{endpoint.description}</span>
                  </>
                )}
              </th>
              <td>{endpoint.events.join(', ')}</td>
              <td>
                {endpoint.enabled ? (
                  'enabled'
                ) : (
                  <span className="badge badge--voided">disabled</span>
                )}
              </td>
              <td>
                <div className="actions-row">
                  <button
                    type="button"
                    className="button button--small"
                    aria-label={`Deliveries to ${endpoint.url}`}
                    aria-pressed={selectedId === endpoint.id}
                    onClick={() => {
                      setSelectedId(endpoint.id);
                    }}
                  >
                    Deliveries
                  </button>
                  <EnableToggle
                    disabled={!endpoint.enabled}
                    name={endpoint.url}
                    onClick={() => {
                      ask({ action: endpoint.enabled ? 'disable' : 'enable', endpoint });
                    }}
                  />
                  <button
                    type="button"
                    className="button button--small"
                    aria-label={`Rotate secret of ${endpoint.url}`}
                    onClick={() => {
                      ask({ action: 'rotate', endpoint });
                    }}
                  >
                    Rotate secret
                  </button>
                  <button
                    type="button"
                    className="button button--small button--danger-outline"
                    aria-label={`Delete ${endpoint.url}`}
                    onClick={() => {
                      ask({ action: 'delete', endpoint });
                    }}
                  >
                    Delete
                  </button>
                </div>
              </td>
            </DataRow>
          ))}
        </DataTable>
      )}
      {selected !== undefined && <DeliveryLog key={selected.id} endpoint={selected} />}
      {asking !== null && (
        <ConfirmAction
          wording={WORDING[asking.action]}
          subject={asking.endpoint}
          busy={busy}
          error={failure}
          onCancel={close}
          onConfirm={confirm}
        />
      )}
    </section>
  );
}
