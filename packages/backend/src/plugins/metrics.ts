// Prometheus metrics: times every answer by route, reports the main pool, and serves /metrics
// on the API's port when METRICS_TOKEN is set (Bearer token). server.ts serves them on
// METRICS_PORT instead/as well. The registry and what others feed: lib/metrics.ts.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { poolOf } from '../db/database.ts';
import { httpRequestDuration, registry, scrape, watchPool } from '../lib/metrics.ts';
import { HttpProblem } from '../lib/http-problem.ts';

export const METRICS_PATH = '/metrics';

function bearerMatches(request: FastifyRequest, token: string): boolean {
  const header = request.headers.authorization ?? '';
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export default fp(
  (app: FastifyInstance) => {
    app.addHook('onResponse', (request, reply, done) => {
      httpRequestDuration.observe(
        {
          method: request.method,
          // a fixed set of labels: unknown paths (scans for /wp-admin …) share one
          route: request.routeOptions.url ?? 'unmatched',
          status_code: String(reply.statusCode),
        },
        reply.elapsedTime / 1000,
      );
      done();
    });

    let unwatch: (() => void) | null = null;
    try {
      unwatch = watchPool('main', poolOf(app.db));
    } catch {
      // a Database not made by createDatabase (none in the app today): nothing to report
    }
    app.addHook('onClose', (_app, done) => {
      unwatch?.();
      done();
    });

    const token = app.config.metrics.token;
    if (token !== null) {
      app.get(METRICS_PATH, { schema: { hide: true } }, async (request, reply) => {
        if (!bearerMatches(request, token)) {
          throw new HttpProblem(
            401,
            'unauthenticated',
            'Send Authorization: Bearer <METRICS_TOKEN>.',
          );
        }
        const text = await scrape((error) => {
          request.log.warn({ err: error }, 'metrics collector');
        });
        return reply.type(registry.contentType).send(text);
      });
    }
    return Promise.resolve();
  },
  { name: 'metrics', dependencies: ['errors'] },
);
