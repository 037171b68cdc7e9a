// A second (or third) rate limit on one route, in the store @fastify/rate-limit was registered
// with (memory, or Redis where configured). The plugin runs one limiter per request through its
// hooks; createRateLimit counts without that guard, so a route can be limited per user and per
// IP, or per IP and email and per IP alone (brute force).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import '@fastify/rate-limit';
import { HttpProblem } from './http-problem.ts';

export function extraRateLimit(
  app: FastifyInstance,
  options: { name: string; perMinute: number; key: (request: FastifyRequest) => string },
): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  const limiter = app.createRateLimit({
    max: options.perMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => `${options.name}:${options.key(request)}`,
  });
  return async (request, reply) => {
    const result = await limiter(request);
    if (!result.isAllowed && result.isExceeded) {
      void reply.header('retry-after', String(result.ttlInSeconds));
      throw new HttpProblem(429, 'rate_limited', 'Please wait a moment and try again.', {
        retryAfterSeconds: result.ttlInSeconds,
      });
    }
  };
}
