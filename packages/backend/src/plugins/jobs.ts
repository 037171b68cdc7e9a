// The PostgreSQL job queue as `app.jobs`. Modules register their handlers; server.ts starts the
// worker (tests start it when they need it), and closing the app stops it.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { JobQueue } from '../modules/jobs/job-queue.ts';

declare module 'fastify' {
  interface FastifyInstance {
    jobs: JobQueue;
  }
}

export default fp(
  (app: FastifyInstance) => {
    const queue = new JobQueue(app.db, { log: app.log });
    app.decorate('jobs', queue);
    app.addHook('onClose', () => queue.stop());
    return Promise.resolve();
  },
  { name: 'jobs' },
);
