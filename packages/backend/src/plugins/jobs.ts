// The job queue (pg-boss) as `app.jobs`, with the handlers app.ts composes. Nothing runs until
// someone boots it: server.ts starts the workers before it listens, tests boot it (and start
// workers when they need them), and closing the app stops it.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { poolOf } from '../db/database.ts';
import { jobQueueDepth, registerCollector } from '../lib/metrics.ts';
import { assertEveryJobHandled, JobQueue, type JobDefinition } from '../modules/jobs/job-queue.ts';

declare module 'fastify' {
  interface FastifyInstance {
    jobs: JobQueue;
  }
}

export interface JobsPluginOptions {
  definitions: readonly JobDefinition<never>[];
}

export default fp<JobsPluginOptions>(
  (app: FastifyInstance, options: JobsPluginOptions) => {
    assertEveryJobHandled(options.definitions);
    const { connectionString } = poolOf(app.db).options;
    if (connectionString === undefined)
      throw new Error('the database pool has no connection string');
    const queue = new JobQueue(options.definitions, {
      connectionString,
      poolSize: app.config.jobs.poolSize,
      pollingIntervalSeconds: app.config.jobs.pollingIntervalSeconds,
      superviseIntervalSeconds: app.config.jobs.superviseIntervalSeconds,
      log: app.log,
    });
    app.decorate('jobs', queue);
    // /metrics: jobs waiting per queue, read when scraped (one small query)
    const unregister = registerCollector(async () => {
      if (!queue.ready) return;
      for (const [name, waiting] of Object.entries(await queue.depth()))
        jobQueueDepth.set({ queue: name }, waiting);
    });
    app.addHook('onClose', async () => {
      unregister();
      await queue.close();
    });
    return Promise.resolve();
  },
  { name: 'jobs' },
);
