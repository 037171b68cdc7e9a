// /api/stores: admins create, rename and move stores to another time zone; admins and marketers
// list them.
import { IdParamsSchema, PageQuerySchema, PageSchema } from '@couponscan/shared/common';
import {
  CreateStoreBodySchema,
  StoreSchema,
  UpdateStoreBodySchema,
} from '@couponscan/shared/stores';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ok, problemResponses, SIGNED_IN } from '../../lib/responses.ts';
import { createStore, listAllStores, updateStoreById } from './stores.service.ts';

const storesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/api/stores',
    {
      onRequest: app.authorize(['admin']),
      schema: {
        tags: ['stores'],
        summary: 'Create a store',
        body: CreateStoreBodySchema,
        response: {
          201: ok(StoreSchema, 'The new store'),
          ...problemResponses(400, 422, ...SIGNED_IN, 409, 413, 415),
        },
      },
    },
    async (request, reply) => reply.status(201).send(await createStore(app.db, request.body)),
  );

  app.patch(
    '/api/stores/:id',
    {
      onRequest: app.authorize(['admin']),
      schema: {
        tags: ['stores'],
        summary: 'Rename a store or move it to another time zone',
        params: IdParamsSchema,
        body: UpdateStoreBodySchema,
        response: {
          200: ok(StoreSchema, 'The changed store'),
          ...problemResponses(400, 422, ...SIGNED_IN, 404, 409, 413, 415),
        },
      },
    },
    async (request) => updateStoreById(app.db, request.params.id, request.body),
  );

  app.get(
    '/api/stores',
    {
      onRequest: app.authorize(['admin', 'marketer']),
      schema: {
        tags: ['stores'],
        summary: 'List stores',
        querystring: PageQuerySchema,
        response: {
          200: ok(PageSchema(StoreSchema), 'One page of stores'),
          ...problemResponses(400, 422, ...SIGNED_IN),
        },
      },
    },
    async (request) => listAllStores(app.db, request.query),
  );
  return Promise.resolve();
};

export default storesRoutes;
