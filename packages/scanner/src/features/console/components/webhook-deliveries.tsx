// An endpoint's delivery log, newest first, with every attempt; a delivery can be re-sent while
// the endpoint is enabled.
import type { WebhookDelivery, WebhookEndpoint } from '@couponscan/shared/webhooks';
import { formatDateTime } from '../../../lib/format.ts';
import { useResendWebhookDelivery, useWebhookDeliveries } from '../api/webhooks.ts';
import { DataRow, DataTable, ErrorNotice, Loading } from './ui.tsx';

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

export function DeliveryLog({ endpoint }: { endpoint: WebhookEndpoint }) {
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
