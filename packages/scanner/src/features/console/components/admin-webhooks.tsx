// Administration: webhook endpoints. Register a URL for some events (its signing secret is shown
// once), disable or enable, rotate the secret, delete; and each endpoint's delivery log with every
// attempt, where a delivery can be re-sent. docs/webhooks.md says what a receiver gets.
import {
  CreateWebhookEndpointBodySchema,
  WEBHOOK_EVENT_TYPES,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhookEndpointWithSecret,
  type WebhookEventType,
} from '@couponscan/shared/webhooks';
import { useState, type SubmitEvent } from 'react';
import { isApiError } from '../../../lib/api-client.ts';
import { formatDateTime } from '../../../lib/format.ts';
import {
  useCreateWebhookEndpoint,
  useDeleteWebhookEndpoint,
  useResendWebhookDelivery,
  useRotateWebhookSecret,
  useUpdateWebhookEndpoint,
  useWebhookDeliveries,
  useWebhookEndpoints,
} from '../api/webhooks.ts';
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

const EVENT_LABELS: Record<WebhookEventType, string> = {
  'redemption.created': 'a coupon is redeemed',
  'redemption.reversed': 'a redemption is undone',
  'coupon.voided': 'a coupon is voided',
  'batch.finished': 'a batch finishes',
};

/** The secret, once: after this panel closes nobody can read it again. */
function SecretOnce({
  endpoint,
  onDone,
}: {
  endpoint: WebhookEndpointWithSecret;
  onDone: () => void;
}) {
  return (
    <div className="panel" role="status" aria-labelledby="webhook-secret-title">
      <h3 id="webhook-secret-title">Signing secret for {endpoint.url}</h3>
      <p>
        Copy it into the receiver now: it is not shown again. The receiver checks the{' '}
        <code>Couponscan-Signature</code> header with it.
      </p>
      <p>
        <code aria-label="Signing secret" style={{ wordBreak: 'break-all' }}>
          {endpoint.secret}
        </code>
      </p>
      <button type="button" className="button" onClick={onDone}>
        I have copied it
      </button>
    </div>
  );
}

function CreateEndpointForm({ onCreated }: { onCreated: (e: WebhookEndpointWithSecret) => void }) {
  const create = useCreateWebhookEndpoint();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<WebhookEventType[]>([]);
  const [errors, setErrors] = useState<FieldErrors>({});

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const body = { url: url.trim(), events, description: description.trim() };
    const found = validate(CreateWebhookEndpointBodySchema, body);
    if (found['/url'] !== undefined) found['/url'] = 'Enter an https:// URL.';
    if (events.length === 0) found['/events'] = 'Tick at least one event.';
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    create.mutate(body, {
      onSuccess: (endpoint) => {
        setUrl('');
        setDescription('');
        setEvents([]);
        onCreated(endpoint);
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
      aria-labelledby="new-webhook-title"
    >
      <h2 id="new-webhook-title">New endpoint</h2>
      <div className="field-row">
        <Field
          label="URL"
          error={errors['/url']}
          hint="https://…; http:// only to localhost while developing."
        >
          {(props) => (
            <input
              {...props}
              type="url"
              autoComplete="off"
              value={url}
              maxLength={2000}
              onChange={(event) => {
                setUrl(event.target.value);
              }}
            />
          )}
        </Field>
        <Field label="Description" error={errors['/description']}>
          {(props) => (
            <input
              {...props}
              value={description}
              maxLength={500}
              onChange={(event) => {
                setDescription(event.target.value);
              }}
            />
          )}
        </Field>
      </div>
      <fieldset className="fieldset">
        <legend>Events</legend>
        <div className="checkbox-list">
          {WEBHOOK_EVENT_TYPES.map((type) => (
            <label key={type} className="checkbox">
              <input
                type="checkbox"
                checked={events.includes(type)}
                onChange={(event) => {
                  setEvents((current) =>
                    event.target.checked ? [...current, type] : current.filter((t) => t !== type),
                  );
                }}
              />
              <code>{type}</code> <span className="muted">({EVENT_LABELS[type]})</span>
            </label>
          ))}
        </div>
        {errors['/events'] !== undefined && <p className="field-error">{errors['/events']}</p>}
      </fieldset>
      <ErrorNotice error={create.error} title="Not created." />
      <button type="submit" className="button button--primary" disabled={create.isPending}>
        Add endpoint
      </button>
    </form>
  );
}

function DeliveryStatus({ status }: { status: WebhookDelivery['status'] }) {
  const style = status === 'pending' ? 'queued' : status;
  return <span className={`badge badge--${style}`}>{status}</span>;
}

function attemptSummary(delivery: WebhookDelivery): string {
  if (delivery.attempts.length === 0) return 'none yet';
  return delivery.attempts
    .map((a) => (a.statusCode === null ? (a.error ?? 'no answer') : `HTTP ${a.statusCode}`))
    .join(' · ');
}

function DeliveryLog({ endpoint }: { endpoint: WebhookEndpoint }) {
  const deliveries = useWebhookDeliveries(endpoint.id);
  const resend = useResendWebhookDelivery(endpoint.id);
  const items = deliveries.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <section className="panel" aria-labelledby="webhook-log-title">
      <h2 id="webhook-log-title">Deliveries to {endpoint.url}</h2>
      <div className="actions-row">
        <button
          type="button"
          className="button button--small"
          onClick={() => void deliveries.refetch()}
          disabled={deliveries.isFetching}
        >
          Refresh
        </button>
      </div>
      <ErrorNotice error={deliveries.error} />
      <ErrorNotice error={resend.error} title="Not re-sent." />
      {deliveries.isPending && <Loading what="deliveries" />}
      {deliveries.isSuccess && items.length === 0 && <p>No deliveries yet.</p>}
      {items.length > 0 && (
        <DataTable
          label="Deliveries"
          columns={[
            { label: 'Created' },
            { label: 'Event' },
            { label: 'Status' },
            { label: 'Attempts' },
            { label: 'Last error' },
            { label: 'Actions', actions: true },
          ]}
        >
          {items.map((delivery) => (
            <DataRow key={delivery.id} data-delivery={delivery.id}>
              <td>{formatDateTime(delivery.createdAt)}</td>
              <th scope="row">
                <code>{delivery.eventType}</code>
                <br />
                <span className="muted">{delivery.eventId}</span>
              </th>
              <td>
                <DeliveryStatus status={delivery.status} />
                {delivery.nextAttemptAt !== null && (
                  <>
                    <br />
                    <span className="muted">next try {formatDateTime(delivery.nextAttemptAt)}</span>
                  </>
                )}
              </td>
              <td>
                {delivery.attempts.length}: {attemptSummary(delivery)}
              </td>
              <td>{delivery.lastError ?? '—'}</td>
              <td>
                <button
                  type="button"
                  className="button button--small"
                  aria-label={`Re-send ${delivery.eventType} ${delivery.eventId}`}
                  disabled={!endpoint.enabled || resend.isPending}
                  onClick={() => {
                    resend.mutate(delivery.id);
                  }}
                >
                  Re-send
                </button>
              </td>
            </DataRow>
          ))}
        </DataTable>
      )}
      {deliveries.hasNextPage && (
        <button
          type="button"
          className="button"
          disabled={deliveries.isFetchingNextPage}
          onClick={() => void deliveries.fetchNextPage()}
        >
          Show older deliveries
        </button>
      )}
    </section>
  );
}

type Asking = {
  kind: 'disable' | 'enable' | 'rotate' | 'delete';
  endpoint: WebhookEndpoint;
} | null;

export default function AdminWebhooks() {
  const endpoints = useWebhookEndpoints();
  const update = useUpdateWebhookEndpoint();
  const rotate = useRotateWebhookSecret();
  const remove = useDeleteWebhookEndpoint();
  const [asking, setAsking] = useState<Asking>(null);
  const [secret, setSecret] = useState<WebhookEndpointWithSecret | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const selected = endpoints.data?.find((e) => e.id === selectedId);
  const busy = update.isPending || rotate.isPending || remove.isPending;
  const failure = update.error ?? rotate.error ?? remove.error;

  const confirm = () => {
    if (asking === null) return;
    const done = {
      onSuccess: () => {
        setAsking(null);
      },
    };
    const { endpoint } = asking;
    if (asking.kind === 'delete') {
      remove.mutate(endpoint.id, {
        onSuccess: () => {
          if (selectedId === endpoint.id) setSelectedId(null);
          setAsking(null);
        },
      });
    } else if (asking.kind === 'rotate') {
      rotate.mutate(endpoint.id, {
        onSuccess: (withSecret) => {
          setSecret(withSecret);
          setAsking(null);
        },
      });
    } else {
      update.mutate({ id: endpoint.id, body: { enabled: asking.kind === 'enable' } }, done);
    }
  };

  const ask = (kind: NonNullable<Asking>['kind'], endpoint: WebhookEndpoint) => {
    update.reset();
    rotate.reset();
    remove.reset();
    setAsking({ kind, endpoint });
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
                  <button
                    type="button"
                    className={`button button--small ${endpoint.enabled ? 'button--danger-outline' : ''}`}
                    aria-label={`${endpoint.enabled ? 'Disable' : 'Enable'} ${endpoint.url}`}
                    onClick={() => {
                      ask(endpoint.enabled ? 'disable' : 'enable', endpoint);
                    }}
                  >
                    {endpoint.enabled ? 'Disable' : 'Enable'}
                  </button>
                  <button
                    type="button"
                    className="button button--small"
                    aria-label={`Rotate secret of ${endpoint.url}`}
                    onClick={() => {
                      ask('rotate', endpoint);
                    }}
                  >
                    Rotate secret
                  </button>
                  <button
                    type="button"
                    className="button button--small button--danger-outline"
                    aria-label={`Delete ${endpoint.url}`}
                    onClick={() => {
                      ask('delete', endpoint);
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
        <ConfirmDialog
          title={
            {
              disable: `Disable ${asking.endpoint.url}?`,
              enable: `Enable ${asking.endpoint.url}?`,
              rotate: `Rotate the secret of ${asking.endpoint.url}?`,
              delete: `Delete ${asking.endpoint.url}?`,
            }[asking.kind]
          }
          confirmLabel={
            { disable: 'Disable', enable: 'Enable', rotate: 'Rotate secret', delete: 'Delete' }[
              asking.kind
            ]
          }
          danger={asking.kind !== 'enable'}
          busy={busy}
          onCancel={() => {
            setAsking(null);
          }}
          onConfirm={confirm}
        >
          {asking.kind === 'disable' && (
            <p>It gets no new events, and deliveries still waiting for a retry are given up.</p>
          )}
          {asking.kind === 'enable' && <p>It gets new events again.</p>}
          {asking.kind === 'rotate' && (
            <p>
              The old secret stops signing at once: update the receiver with the new one, shown
              next.
            </p>
          )}
          {asking.kind === 'delete' && (
            <p>The endpoint and its delivery log are deleted. This cannot be undone.</p>
          )}
          <ErrorNotice error={failure} title="Not changed." />
        </ConfirmDialog>
      )}
    </section>
  );
}
