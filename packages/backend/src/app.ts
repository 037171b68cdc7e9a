// Builds the Fastify instance from a Config and a database. Never listens: server.ts does.
import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Config } from './config.ts';
import type { Database } from './db/database.ts';
import apiTokensRoutes from './modules/api-tokens/api-tokens.routes.ts';
import authRoutes from './modules/auth/auth.routes.ts';
import batchesRoutes from './modules/batches/batches.routes.ts';
import campaignsRoutes from './modules/campaigns/campaigns.routes.ts';
import couponsRoutes from './modules/coupons/coupons.routes.ts';
import exportsRoutes from './modules/exports/exports.routes.ts';
import healthRoutes from './modules/health/health.routes.ts';
import importsRoutes from './modules/imports/imports.routes.ts';
import qrRoutes from './modules/qr/qr.routes.ts';
import redemptionsRoutes from './modules/redemptions/redemptions.routes.ts';
import { LedgerAnnouncer } from './modules/stats/ledger-announcer.ts';
import { rollUpStatisticsJob } from './modules/stats/stats.jobs.ts';
import statsRoutes from './modules/stats/stats.routes.ts';
import storesRoutes from './modules/stores/stores.routes.ts';
import usersRoutes from './modules/users/users.routes.ts';
import webhooksRoutes from './modules/webhooks/webhooks.routes.ts';
import {
  deliverWebhookJob,
  dispatchWebhookEventsJob,
  purgeWebhookHistoryJob,
} from './modules/webhooks/webhooks.jobs.ts';
import { issueBatchDeadJob, issueBatchJob } from './modules/batches/batches.jobs.ts';
import {
  purgeExpiredIdempotencyKeysJob,
  purgeExpiredSessionsJob,
} from './modules/maintenance/maintenance.jobs.ts';
import auth from './plugins/auth.ts';
import csrf from './plugins/csrf.ts';
import errors, { answerClientError, answerFrameworkError } from './plugins/errors.ts';
import jobs from './plugins/jobs.ts';
import metrics from './plugins/metrics.ts';
import { validationOptions } from './plugins/validation.ts';
import openapi from './plugins/openapi.ts';
import rateLimits from './plugins/rate-limit.ts';
import security from './plugins/security.ts';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    db: Database;
    /** The small pool for bulk work (exports, imports, batches): redemptions never wait behind it. */
    bulkDb: Database;
    /** Tells the live feed about a ledger row once its transaction has committed. */
    ledgerAnnouncer: LedgerAnnouncer;
  }
}

export interface AppOptions {
  config: Config;
  db: Database;
  /** Defaults to `db`: one pool for everything. */
  bulkDb?: Database;
  logger?: FastifyServerOptions['logger'];
}

export async function buildApp({
  config,
  db,
  bulkDb = db,
  logger = false,
}: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger,
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
    // a slow client cannot hold a connection open by sending its request bit by bit, nor idle
    requestTimeout: config.timeouts.requestMs,
    connectionTimeout: config.timeouts.connectionMs,
    // longer than the usual load balancer's idle timeout (60 s), so it closes first
    keepAliveTimeout: 72_000,
    ...validationOptions(),
    // errors the router and Node's HTTP parser raise before any route runs: problem+json too
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('config', config);
  app.decorate('db', db);
  app.decorate('bulkDb', bulkDb);
  const ledgerAnnouncer = new LedgerAnnouncer(db, app.log);
  app.decorate('ledgerAnnouncer', ledgerAnnouncer);
  // before the caller closes the pool
  app.addHook('onClose', () => ledgerAnnouncer.drain());

  await app.register(errors);
  await app.register(openapi);
  await app.register(security);
  await app.register(metrics);
  await app.register(rateLimits);
  await app.register(csrf);
  await app.register(auth);
  // every kind of background job, the scheduled clean-ups and the dashboard's rollup (the plugin
  // checks none is missing)
  await app.register(jobs, {
    definitions: [
      issueBatchJob(bulkDb, {
        retryDelaySeconds: config.jobs.retryDelaySeconds,
        heartbeatSeconds: config.jobs.heartbeatSeconds,
      }),
      issueBatchDeadJob(bulkDb),
      purgeExpiredSessionsJob(db),
      purgeExpiredIdempotencyKeysJob(db),
      dispatchWebhookEventsJob(db, () => app.jobs, config.webhooks),
      deliverWebhookJob(db, () => app.jobs, config.webhooks, config.jobs.retryDelaySeconds),
      purgeWebhookHistoryJob(db),
      rollUpStatisticsJob(bulkDb),
    ],
  });

  await app.register(healthRoutes);
  await app.register(authRoutes);
  await app.register(storesRoutes);
  await app.register(usersRoutes);
  await app.register(campaignsRoutes);
  await app.register(couponsRoutes);
  await app.register(redemptionsRoutes);
  await app.register(batchesRoutes);
  await app.register(exportsRoutes);
  await app.register(qrRoutes);
  await app.register(importsRoutes);
  await app.register(statsRoutes);
  await app.register(apiTokensRoutes);
  await app.register(webhooksRoutes);

  if (config.staticDir !== null) await serveScanner(app, config.staticDir);
  return app;
}

/**
 * The built scanner at `/`, without its source maps; the not-found handler answers client-side
 * routes with index.html.
 */
async function serveScanner(app: FastifyInstance, root: string): Promise<void> {
  if (!fs.existsSync(path.join(root, 'index.html'))) {
    throw new Error(
      `STATIC_DIR ${root} has no index.html: build the scanner first (pnpm --filter @couponscan/scanner build)`,
    );
  }
  await app.register(fastifyStatic, {
    root,
    wildcard: false,
    index: ['index.html'],
    // Source maps would hand anyone the app's source: never served, whatever the build left behind
    // (the not-found handler answers them 404).
    globIgnore: ['**/*.map'],
    allowedPath: (pathName) => !isSourceMap(pathName),
  });
}

function isSourceMap(pathName: string): boolean {
  return /\.map$/i.test(pathName);
}
