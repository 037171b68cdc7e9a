// /api/auth: login sets an HttpOnly session cookie backed by a revocable sessions row.
import { LoginBodySchema, SessionResponseSchema } from '@couponscan/shared/auth';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { extraRateLimit } from '../../lib/extra-rate-limit.ts';
import { Type } from '@sinclair/typebox';
import { noContent, ok, problemResponses } from '../../lib/responses.ts';
import { currentUser } from '../../plugins/auth.ts';
import { login, logout } from './auth.service.ts';

const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // one address trying many accounts: limited per IP across emails as well as per IP and email
  const loginsPerIp = extraRateLimit(app, {
    name: 'login-ip',
    perMinute: app.config.rateLimit.loginPerIpPerMinute,
    key: (request) => request.ip,
  });

  app.post(
    '/api/auth/login',
    {
      onRequest: loginsPerIp,
      schema: {
        tags: ['auth'],
        summary: 'Log in: sets the session cookie',
        security: [],
        body: LoginBodySchema,
        response: {
          200: ok(SessionResponseSchema, 'Logged in; the answer sets the session cookie', {
            'set-cookie': Type.String({ description: 'The HttpOnly session cookie' }),
          }),
          ...problemResponses(400, 422, 413, 415, 429, { 401: ['invalid_credentials'] }),
        },
      },
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

  app.post(
    '/api/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'Log out: ends the session at once',
        security: [],
        response: {
          204: noContent('Logged out (also when there was no session)'),
          ...problemResponses(400, 422, 413, 415),
        },
      },
    },
    async (request, reply) => {
      const sessionId = request.user?.sessionId ?? null;
      // an API token is revoked by an admin, never by logging out
      if (sessionId !== null) {
        await logout(app.db, sessionId);
        // at once here; other instances drop it when PostgreSQL's notification arrives
        app.sessionCache.evictSession(sessionId);
      }
      app.clearSessionCookie(reply);
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/auth/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'Who is signed in, and the undo window',
        response: {
          200: ok(SessionResponseSchema, 'The signed-in user'),
          ...problemResponses(401),
        },
      },
    },
    async (request) => {
      // the session id stays on the server
      const { sessionId, apiTokenId, ...user } = currentUser(request);
      return Promise.resolve({ user, undoWindowMinutes: app.config.undoWindowMinutes });
    },
  );
  return Promise.resolve();
};

export default authRoutes;
