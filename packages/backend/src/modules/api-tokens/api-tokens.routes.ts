// /api/api-tokens: admins create (the secret is in that answer only), list and revoke API tokens.
import {
  ApiTokenSchema,
  CreateApiTokenBodySchema,
  CreatedApiTokenSchema,
} from '@couponscan/shared/api-tokens';
import { IdParamsSchema, PageQuerySchema, PageSchema } from '@couponscan/shared/common';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ok, problemResponses, SIGNED_IN } from '../../lib/responses.ts';
import { currentUser } from '../../plugins/auth.ts';
import { createApiToken, listApiTokens, revokeApiToken } from './api-tokens.service.ts';

const NO_STORE_HEADERS = {
  'cache-control': Type.Literal('no-store', { description: 'The secret is never cached' }),
};

const apiTokensRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const admin = app.authorize(['admin']);

  app.post(
    '/api/api-tokens',
    {
      onRequest: admin,
      schema: {
        tags: ['api-tokens'],
        summary: 'Create an API token; its secret is shown in this answer only',
        body: CreateApiTokenBodySchema,
        response: {
          201: ok(CreatedApiTokenSchema, 'The new token and its secret', NO_STORE_HEADERS),
          ...problemResponses(400, ...SIGNED_IN, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const created = await createApiToken(app.db, currentUser(request), request.body);
      // the secret must not stay in a shared or browser cache
      void reply.header('cache-control', 'no-store');
      return reply.status(201).send(created);
    },
  );

  app.get(
    '/api/api-tokens',
    {
      onRequest: admin,
      schema: {
        tags: ['api-tokens'],
        summary: 'List API tokens, newest first (never their secrets)',
        querystring: PageQuerySchema,
        response: {
          200: ok(PageSchema(ApiTokenSchema), 'One page of tokens'),
          ...problemResponses(400, 422, ...SIGNED_IN),
        },
      },
    },
    async (request) => listApiTokens(app.db, request.query),
  );

  app.post(
    '/api/api-tokens/:id/revoke',
    {
      onRequest: admin,
      schema: {
        tags: ['api-tokens'],
        summary: 'Revoke an API token at once and for good',
        params: IdParamsSchema,
        response: {
          200: ok(ApiTokenSchema, 'The revoked token (also when it was revoked already)'),
          ...problemResponses(400, 422, ...SIGNED_IN, 404, 413, 415),
        },
      },
    },
    async (request) => {
      const token = await revokeApiToken(app.db, request.params.id);
      // at once here; other instances drop it when PostgreSQL's notification arrives
      app.sessionCache.evictUser(token.userId);
      return token;
    },
  );
  return Promise.resolve();
};

export default apiTokensRoutes;
