// /api/stores: admins create, rename and move stores to another time zone; admins and marketers
// list them.
import { IdParamsSchema, PageQuerySchema, PageSchema } from '@couponscan/shared/common';
import {
  CreateStoreBodySchema,
  StoreSchema,
  UpdateStoreBodySchema,
} from '@couponscan/shared/stores';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createStore, listAllStores, updateStoreById } from './stores.service.ts';

const storesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/api/stores',
    {
      onRequest: app.authorize(['admin']),
      schema: { body: CreateStoreBodySchema, response: { 201: StoreSchema } },
    },
    async (request, reply) => reply.status(201).send(await createStore(app.db, request.body)),
  );

  app.patch(
    '/api/stores/:id',
    {
      onRequest: app.authorize(['admin']),
      schema: {
        params: IdParamsSchema,
        body: UpdateStoreBodySchema,
        response: { 200: StoreSchema },
      },
    },
    async (request) => updateStoreById(app.db, request.params.id, request.body),
  );

  app.get(
    '/api/stores',
    {
      onRequest: app.authorize(['admin', 'marketer']),
      schema: { querystring: PageQuerySchema, response: { 200: PageSchema(StoreSchema) } },
    },
    async (request) => listAllStores(app.db, request.query),
  );
  return Promise.resolve();
};

export default storesRoutes;
