// /api/users: admins only.
import { IdParamsSchema, PageQuerySchema, PageSchema } from '@couponscan/shared/common';
import { CreateUserBodySchema, UpdateUserBodySchema, UserSchema } from '@couponscan/shared/users';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createUser, listAllUsers, updateUserById } from './users.service.ts';

const usersRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const admin = app.authorize(['admin']);

  app.post(
    '/api/users',
    { onRequest: admin, schema: { body: CreateUserBodySchema, response: { 201: UserSchema } } },
    async (request, reply) => reply.status(201).send(await createUser(app.db, request.body)),
  );

  app.get(
    '/api/users',
    {
      onRequest: admin,
      schema: { querystring: PageQuerySchema, response: { 200: PageSchema(UserSchema) } },
    },
    async (request) => listAllUsers(app.db, request.query),
  );

  app.patch(
    '/api/users/:id',
    {
      onRequest: admin,
      schema: { params: IdParamsSchema, body: UpdateUserBodySchema, response: { 200: UserSchema } },
    },
    async (request) => updateUserById(app.db, request.params.id, request.body),
  );
  return Promise.resolve();
};

export default usersRoutes;
