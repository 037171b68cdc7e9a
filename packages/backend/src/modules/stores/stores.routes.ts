// /api/stores: admins create stores; admins and marketers list them.
import { PageQuerySchema, PageSchema } from '@couponscan/shared/common';
import { CreateStoreBodySchema, StoreSchema } from '@couponscan/shared/stores';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createStore, listAllStores } from './stores.service.ts';

const storesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/api/stores',
    {
      onRequest: app.authorize(['admin']),
      schema: { body: CreateStoreBodySchema, response: { 201: StoreSchema } },
    },
    async (request, reply) => reply.status(201).send(await createStore(app.db, request.body)),
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
