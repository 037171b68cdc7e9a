// @fastify/rate-limit for the routes that ask for it (`config.rateLimit` on a route, or
// `app.rateLimit(…)` as an extra hook). With REDIS_URL the counters live in Redis, so every
// instance behind a load balancer counts the same requests; without it they stay in this
// process's memory, which the start-up log says.
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Redis } from 'ioredis';

export default fp(
  async (app: FastifyInstance) => {
    const { redisUrl, redisKeyPrefix } = app.config;
    if (redisUrl === null) {
      app.log.info('rate limits are counted in memory, per process (set REDIS_URL to share them)');
      await app.register(rateLimit, { global: false });
      return;
    }
    const redis = new Redis(redisUrl, {
      // a request never waits long for Redis: past these, the limit is skipped and the error logged
      connectTimeout: 500,
      maxRetriesPerRequest: 1,
      lazyConnect: false,
    });
    redis.on('error', (error: Error) => {
      app.log.warn({ err: error }, 'rate limits: Redis');
    });
    app.addHook('onClose', async () => {
      await redis.quit().catch(() => undefined);
    });
    app.log.info(
      `rate limits are counted in Redis (${new URL(redisUrl).host}), shared by instances`,
    );
    await app.register(rateLimit, {
      global: false,
      redis,
      nameSpace: `${redisKeyPrefix}rate-limit:`,
      // Redis away: serve rather than refuse everyone; the error is logged above
      skipOnError: true,
    });
  },
  { name: 'rate-limit', dependencies: ['errors'] },
);
