// /api/webhooks: admins register endpoints, read their delivery log and re-send a delivery.
// docs/webhooks.md describes what a receiver gets.
import { IdParamsSchema, PageQuerySchema, PageSchema } from '@couponscan/shared/common';
import {
  CreateWebhookEndpointBodySchema,
  UpdateWebhookEndpointBodySchema,
  WebhookDeliveryParamsSchema,
  WebhookDeliverySchema,
  WebhookEndpointSchema,
  WebhookEndpointWithSecretSchema,
} from '@couponscan/shared/webhooks';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { noContent, ok, problemResponses, SIGNED_IN } from '../../lib/responses.ts';
import { currentUser } from '../../plugins/auth.ts';
import {
  changeEndpoint,
  createEndpoint,
  getEndpoint,
  listAllEndpoints,
  listEndpointDeliveries,
  removeEndpoint,
  resendDelivery,
  rotateSecret,
} from './webhooks.service.ts';

const URL_REFUSALS = { 422: ['validation_failed', 'webhook_url_refused'] } as const;

const webhooksRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const admin = app.authorize(['admin']);
  const settings = app.config.webhooks;

  app.post(
    '/api/webhooks',
    {
      onRequest: admin,
      schema: {
        tags: ['webhooks'],
        summary: 'Register a webhook endpoint; its signing secret is answered this once',
        body: CreateWebhookEndpointBodySchema,
        response: {
          201: ok(WebhookEndpointWithSecretSchema, 'The new endpoint, with its secret'),
          ...problemResponses(400, ...SIGNED_IN, 413, 415, URL_REFUSALS),
        },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await createEndpoint(app.db, settings, request.body, currentUser(request).id)),
  );

  app.get(
    '/api/webhooks',
    {
      onRequest: admin,
      schema: {
        tags: ['webhooks'],
        summary: 'List webhook endpoints, newest first',
        querystring: PageQuerySchema,
        response: {
          200: ok(PageSchema(WebhookEndpointSchema), 'One page of endpoints'),
          ...problemResponses(400, 422, ...SIGNED_IN),
        },
      },
    },
    async (request) => listAllEndpoints(app.db, request.query),
  );

  app.get(
    '/api/webhooks/:id',
    {
      onRequest: admin,
      schema: {
        tags: ['webhooks'],
        summary: 'One webhook endpoint',
        params: IdParamsSchema,
        response: {
          200: ok(WebhookEndpointSchema, 'The endpoint'),
          ...problemResponses(400, 422, ...SIGNED_IN, 404),
        },
      },
    },
    async (request) => getEndpoint(app.db, request.params.id),
  );

  app.patch(
    '/api/webhooks/:id',
    {
      onRequest: admin,
      schema: {
        tags: ['webhooks'],
        summary: 'Change a webhook endpoint: URL, events, description, enabled',
        params: IdParamsSchema,
        body: UpdateWebhookEndpointBodySchema,
        response: {
          200: ok(WebhookEndpointSchema, 'The changed endpoint'),
          ...problemResponses(400, ...SIGNED_IN, 404, 413, 415, URL_REFUSALS),
        },
      },
    },
    async (request) => changeEndpoint(app.db, settings, request.params.id, request.body),
  );

  app.post(
    '/api/webhooks/:id/secret',
    {
      onRequest: admin,
      schema: {
        tags: ['webhooks'],
        summary:
          'Rotate the signing secret: the new one is answered this once, the old one stops at once',
        params: IdParamsSchema,
        response: {
          200: ok(WebhookEndpointWithSecretSchema, 'The endpoint, with its new secret'),
          ...problemResponses(400, 422, ...SIGNED_IN, 404, 413, 415),
        },
      },
    },
    async (request) => rotateSecret(app.db, request.params.id),
  );

  app.delete(
    '/api/webhooks/:id',
    {
      onRequest: admin,
      schema: {
        tags: ['webhooks'],
        summary: 'Delete a webhook endpoint and its delivery log',
        params: IdParamsSchema,
        response: {
          204: noContent('Deleted'),
          ...problemResponses(400, 422, ...SIGNED_IN, 404, 413, 415),
        },
      },
    },
    async (request, reply) => {
      await removeEndpoint(app.db, request.params.id);
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/webhooks/:id/deliveries',
    {
      onRequest: admin,
      schema: {
        tags: ['webhooks'],
        summary: "An endpoint's delivery log, newest first, each delivery with its attempts",
        params: IdParamsSchema,
        querystring: PageQuerySchema,
        response: {
          200: ok(PageSchema(WebhookDeliverySchema), 'One page of deliveries'),
          ...problemResponses(400, 422, ...SIGNED_IN, 404),
        },
      },
    },
    async (request) => listEndpointDeliveries(app.db, request.params.id, request.query),
  );

  app.post(
    '/api/webhooks/:id/deliveries/:deliveryId/resend',
    {
      onRequest: admin,
      schema: {
        tags: ['webhooks'],
        summary: 'Send the event of a delivery again, as a new delivery with the same event id',
        params: WebhookDeliveryParamsSchema,
        response: {
          202: ok(WebhookDeliverySchema, 'The new delivery, queued'),
          ...problemResponses(400, 422, ...SIGNED_IN, 404, 409, 413, 415),
        },
      },
    },
    async (request, reply) =>
      reply
        .status(202)
        .send(await resendDelivery(app.db, app.jobs, request.params.id, request.params.deliveryId)),
  );
  return Promise.resolve();
};

export default webhooksRoutes;
