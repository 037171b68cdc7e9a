// Webhooks: endpoints an admin registers for events, and the log of deliveries to them.
// docs/webhooks.md describes the requests a receiver gets and how to verify their signature.
import { Type, type Static } from '@sinclair/typebox';
import { IdSchema, TimestampSchema } from './common.ts';

export const WEBHOOK_EVENT_TYPES = [
  'redemption.created',
  'redemption.reversed',
  'coupon.voided',
  'batch.finished',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
export const WebhookEventTypeSchema = Type.Union(WEBHOOK_EVENT_TYPES.map((t) => Type.Literal(t)));

/** The header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`. */
export const WEBHOOK_SIGNATURE_HEADER = 'Couponscan-Signature';
/** The event's id: the same on every attempt and re-send, for the receiver to drop duplicates. */
export const WEBHOOK_EVENT_ID_HEADER = 'Couponscan-Event-Id';
export const WEBHOOK_EVENT_TYPE_HEADER = 'Couponscan-Event-Type';
export const WEBHOOK_DELIVERY_ID_HEADER = 'Couponscan-Delivery-Id';

/** https://…, or http:// to a loopback address for development. */
export const WebhookUrlSchema = Type.String({
  minLength: 8,
  maxLength: 2000,
  pattern: '^https?://',
});

const EventsSchema = Type.Array(WebhookEventTypeSchema, { minItems: 1, uniqueItems: true });
const DescriptionSchema = Type.String({ maxLength: 500 });

export const WebhookEndpointSchema = Type.Object({
  id: IdSchema,
  url: Type.String(),
  description: Type.String(),
  events: Type.Array(WebhookEventTypeSchema),
  enabled: Type.Boolean(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
export type WebhookEndpoint = Static<typeof WebhookEndpointSchema>;

/** Answered once, at creation and when the secret is rotated: the secret is never shown again. */
export const WebhookEndpointWithSecretSchema = Type.Intersect([
  WebhookEndpointSchema,
  Type.Object({ secret: Type.String() }),
]);
export type WebhookEndpointWithSecret = Static<typeof WebhookEndpointWithSecretSchema>;

export const CreateWebhookEndpointBodySchema = Type.Object(
  {
    url: WebhookUrlSchema,
    events: EventsSchema,
    description: Type.Optional(DescriptionSchema),
  },
  { additionalProperties: false },
);
export type CreateWebhookEndpointBody = Static<typeof CreateWebhookEndpointBodySchema>;

export const UpdateWebhookEndpointBodySchema = Type.Object(
  {
    url: Type.Optional(WebhookUrlSchema),
    events: Type.Optional(EventsSchema),
    description: Type.Optional(DescriptionSchema),
    /** A disabled endpoint gets no new events; its pending deliveries stop. */
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateWebhookEndpointBody = Static<typeof UpdateWebhookEndpointBodySchema>;

export const WebhookAttemptSchema = Type.Object({
  number: Type.Integer({ minimum: 1 }),
  /** The receiver's HTTP status; null when no answer came (timeout, refused, network error). */
  statusCode: Type.Union([Type.Integer(), Type.Null()]),
  durationMs: Type.Integer({ minimum: 0 }),
  error: Type.Union([Type.String(), Type.Null()]),
  createdAt: TimestampSchema,
});
export type WebhookAttempt = Static<typeof WebhookAttemptSchema>;

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;

export const WebhookDeliverySchema = Type.Object({
  id: IdSchema,
  endpointId: IdSchema,
  eventId: IdSchema,
  eventType: WebhookEventTypeSchema,
  status: Type.Union(WEBHOOK_DELIVERY_STATUSES.map((s) => Type.Literal(s))),
  /** When the next attempt is due, while pending after a failed one. */
  nextAttemptAt: Type.Union([TimestampSchema, Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: TimestampSchema,
  finishedAt: Type.Union([TimestampSchema, Type.Null()]),
  /** Oldest first. */
  attempts: Type.Array(WebhookAttemptSchema),
});
export type WebhookDelivery = Static<typeof WebhookDeliverySchema>;

export const WebhookDeliveryParamsSchema = Type.Object({ id: IdSchema, deliveryId: IdSchema });

/** The JSON body every delivery POSTs. */
export const WebhookEventBodySchema = Type.Object({
  id: IdSchema,
  type: WebhookEventTypeSchema,
  createdAt: TimestampSchema,
  data: Type.Record(Type.String(), Type.Unknown()),
});
export type WebhookEventBody = Static<typeof WebhookEventBodySchema>;
