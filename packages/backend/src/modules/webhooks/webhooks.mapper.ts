import type {
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEventType,
} from '@couponscan/shared/webhooks';
import type { AttemptRow, DeliveryRow, EndpointRow } from './webhooks.repository.ts';

export function toEndpoint(row: EndpointRow): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: row.events as WebhookEventType[],
    enabled: row.enabled,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function toDelivery(row: DeliveryRow, attempts: readonly AttemptRow[]): WebhookDelivery {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    eventId: row.event_id,
    eventType: row.event_type as WebhookEventType,
    status: row.status,
    nextAttemptAt: row.next_attempt_at?.toISOString() ?? null,
    lastError: row.last_error,
    createdAt: row.created_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
    attempts: attempts.map((a) => ({
      number: a.number,
      statusCode: a.status_code,
      durationMs: a.duration_ms,
      error: a.error,
      createdAt: a.created_at.toISOString(),
    })),
  };
}
