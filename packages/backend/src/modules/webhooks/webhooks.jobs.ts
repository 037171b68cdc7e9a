// The webhook jobs: a dispatcher that polls the outbox, one delivery job per attempt, and a
// daily clean-up of old events (with their deliveries and attempts).
import type { Database } from '../../db/database.ts';
import { WorkerStopped, type JobDefinition, type JobQueue } from '../jobs/job-queue.ts';
import { deleteOldEvents } from './webhooks.repository.ts';
import { attemptDelivery, dispatchOnce, type WebhookSettings } from './webhooks.service.ts';

/** Events and their delivery log are kept this long. */
export const WEBHOOK_HISTORY_DAYS = 30;

/**
 * Started when the workers start and then every minute by its schedule; polls the outbox every `dispatchIntervalMs` for
 * `dispatchLoopSeconds` (less than a minute, so runs do not pile up), or until the worker stops.
 * Two dispatchers at once are safe: each takes the events the other has not locked.
 */
export function dispatchWebhookEventsJob(
  db: Database,
  jobs: () => JobQueue,
  settings: WebhookSettings,
): JobDefinition {
  return {
    name: 'dispatch_webhook_events',
    schedule: '* * * * *',
    sendAtStart: true,
    queue: {
      retryLimit: 1,
      expireInSeconds: settings.dispatchLoopSeconds + 120,
    },
    async run(job) {
      const until = Date.now() + settings.dispatchLoopSeconds * 1000;
      while (!job.signal.aborted) {
        // a full pass may have left more behind: go again at once
        if ((await dispatchOnce(db, jobs())) >= 200) continue;
        if (Date.now() >= until) return;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, settings.dispatchIntervalMs);
          function done() {
            clearTimeout(timer);
            job.signal.removeEventListener('abort', done);
            resolve();
          }
          job.signal.addEventListener('abort', done, { once: true });
        });
      }
    },
  };
}

export interface DeliverWebhookData {
  deliveryId: string;
}

export function deliverWebhookJob(
  db: Database,
  jobs: () => JobQueue,
  settings: WebhookSettings,
  retryDelaySeconds: number,
): JobDefinition<DeliverWebhookData> {
  return {
    name: 'deliver_webhook',
    concurrency: 5,
    queue: {
      // these retries are for a worker that died or a database that failed mid-attempt; a
      // receiver's failures are retried on the webhook schedule by new jobs
      retryLimit: 5,
      retryDelay: retryDelaySeconds,
      retryBackoff: retryDelaySeconds > 0,
      expireInSeconds: Math.ceil(settings.timeoutMs / 1000) + 60,
    },
    async run(job) {
      try {
        await attemptDelivery(db, jobs(), settings, {
          deliveryId: job.data.deliveryId,
          signal: job.signal,
          completeWithin: (trx) => job.completeWithin(trx),
        });
      } catch (error) {
        if (job.signal.aborted) throw new WorkerStopped();
        throw error;
      }
    },
  };
}

export function purgeWebhookHistoryJob(db: Database): JobDefinition {
  return {
    name: 'purge_webhook_history',
    schedule: '41 3 * * *',
    async run() {
      await deleteOldEvents(db, WEBHOOK_HISTORY_DAYS);
    },
  };
}
