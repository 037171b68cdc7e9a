// /api/health: the app and the database, for load balancers and people.
import { HealthSchema, ReadinessSchema } from '@couponscan/shared/common';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import packageJson from '../../../package.json' with { type: 'json' };
import { pendingMigrations } from '../../db/migrate.ts';
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

  app.get(
    '/api/ready',
    {
      schema: {
        tags: ['operations'],
        summary: 'May this instance take traffic? Database reachable and migrations current',
        security: [],
        response: {
          200: ok(ReadinessSchema, 'Ready'),
          ...problemResponses(),
          503: ok(ReadinessSchema, 'Not ready: the database is down or not migrated'),
        },
      },
    },
    async (_request, reply) => {
      const pending = await pendingMigrations(app.db).catch((error: unknown) => {
        app.log.warn({ err: error }, 'readiness check: database unreachable');
        return null;
      });
      const ready = pending !== null && pending.length === 0;
      return reply.status(ready ? 200 : 503).send({
        status: ready ? 'ready' : 'not_ready',
        database: pending === null ? 'down' : 'ok',
        migrations: { pending: pending ?? [], current: pending === null ? null : ready },
      });
    },
  );
  return Promise.resolve();
};

export default healthRoutes;
