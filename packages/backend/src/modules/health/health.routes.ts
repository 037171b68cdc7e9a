// /api/health: the app and the database, for load balancers and people.
import { HealthSchema } from '@couponscan/shared/common';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import packageJson from '../../../package.json' with { type: 'json' };
import { ok, problemResponses } from '../../lib/responses.ts';

const startedAt = Date.now();

const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/health',
    {
      schema: {
        tags: ['operations'],
        summary: 'Is the app up, and can it reach its database?',
        security: [],
        response: {
          200: ok(HealthSchema, 'Up, and the database answers'),
          ...problemResponses(),
          503: ok(HealthSchema, 'Up, but the database does not answer'),
        },
      },
    },
    async (_request, reply) => {
      const began = performance.now();
      const database = await sql`select 1`
        .execute(app.db)
        .then(() => ({
          status: 'ok' as const,
          latencyMs: Math.round((performance.now() - began) * 10) / 10,
        }))
        .catch((error: unknown) => {
          app.log.warn({ err: error }, 'health check: database unreachable');
          return { status: 'down' as const, latencyMs: null };
        });
      const ok = database.status === 'ok';
      return reply.status(ok ? 200 : 503).send({
        status: ok ? 'ok' : 'degraded',
        version: packageJson.version,
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
        database,
      });
    },
  );
  return Promise.resolve();
};

export default healthRoutes;
