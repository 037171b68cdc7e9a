// /api/users: admins only.
import { IdParamsSchema, PageQuerySchema, PageSchema } from '@couponscan/shared/common';
import { CreateUserBodySchema, UpdateUserBodySchema, UserSchema } from '@couponscan/shared/users';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ok, problemResponses, SIGNED_IN } from '../../lib/responses.ts';
import { createUser, listAllUsers, updateUserById } from './users.service.ts';

const usersRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const admin = app.authorize(['admin']);

  app.post(
    '/api/users',
    {
      onRequest: admin,
      schema: {
        tags: ['users'],
        summary: 'Create a user',
        body: CreateUserBodySchema,
        response: {
          201: ok(UserSchema, 'The new user'),
          ...problemResponses(400, 422, ...SIGNED_IN, 409, 413, 415),
        },
      },
    },
    async (request, reply) => reply.status(201).send(await createUser(app.db, request.body)),
  );

  app.get(
    '/api/users',
    {
      onRequest: admin,
      schema: {
        tags: ['users'],
        summary: 'List users',
        querystring: PageQuerySchema,
        response: {
          200: ok(PageSchema(UserSchema), 'One page of users'),
          ...problemResponses(400, 422, ...SIGNED_IN),
        },
      },
    },
    async (request) => listAllUsers(app.db, request.query),
  );

  app.patch(
    '/api/users/:id',
    {
      onRequest: admin,
      schema: {
        tags: ['users'],
        summary: 'Change a user: name, role, store, password, disabled',
        params: IdParamsSchema,
        body: UpdateUserBodySchema,
        response: {
          200: ok(UserSchema, 'The changed user'),
          ...problemResponses(400, 422, ...SIGNED_IN, 404, 413, 415, {
            409: ['conflict', 'last_admin'],
          }),
        },
      },
    },
    async (request) => updateUserById(app.db, request.params.id, request.body),
  );
  return Promise.resolve();
};

export default usersRoutes;
