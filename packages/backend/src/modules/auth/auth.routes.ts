// /api/auth: login sets an HttpOnly session cookie backed by a revocable sessions row.
import { LoginBodySchema, SessionResponseSchema } from '@couponscan/shared/auth';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { currentUser } from '../../plugins/auth.ts';
import { login, logout } from './auth.service.ts';

const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/api/auth/login',
    {
      schema: { body: LoginBodySchema, response: { 200: SessionResponseSchema } },
      config: {
        rateLimit: {
          max: app.config.rateLimit.loginPerMinute,
          timeWindow: 60_000,
          hook: 'preHandler',
          keyGenerator: (request) => {
            const body = request.body as { email?: unknown } | undefined;
            const email = typeof body?.email === 'string' ? body.email.trim().toLowerCase() : '';
            return `login:${request.ip}:${email}`;
          },
        },
      },
    },
    async (request, reply) => {
      const session = await login(app.db, request.body, app.config.sessionTtlHours);
      app.setSessionCookie(reply, session.token, session.expiresAt);
      return { user: session.user, undoWindowMinutes: app.config.undoWindowMinutes };
    },
  );

  app.post('/api/auth/logout', async (request, reply) => {
    if (request.user !== null) {
      await logout(app.db, request.user.sessionId);
      // at once here; other instances drop it when PostgreSQL's notification arrives
      app.sessionCache.evictSession(request.user.sessionId);
    }
    app.clearSessionCookie(reply);
    return reply.status(204).send();
  });

  app.get(
    '/api/auth/me',
    { schema: { response: { 200: SessionResponseSchema } } },
    async (request) => {
      // the session id stays on the server
      const { sessionId, ...user } = currentUser(request);
      return Promise.resolve({ user, undoWindowMinutes: app.config.undoWindowMinutes });
    },
  );
  return Promise.resolve();
};

export default authRoutes;
