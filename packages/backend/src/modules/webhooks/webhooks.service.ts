// Admins register webhook endpoints; the outbox the triggers fill is dispatched into one delivery
// per subscribed endpoint, each sent by a `deliver_webhook` job, signed, and retried on the
// schedule in config.webhooks.retryDelaysSeconds.
import type { Page } from '@couponscan/shared/common';
import {
  WEBHOOK_DELIVERY_ID_HEADER,
  WEBHOOK_EVENT_ID_HEADER,
  WEBHOOK_EVENT_TYPE_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  type CreateWebhookEndpointBody,
  type UpdateWebhookEndpointBody,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhookEndpointWithSecret,
} from '@couponscan/shared/webhooks';
import type { Transaction } from 'kysely';
import { fromKysely } from 'pg-boss';
import type { Config } from '../../config.ts';
import type { Database, DB } from '../../db/database.ts';
import { transaction } from '../../db/transaction.ts';
import { webhookFailures } from '../../lib/metrics.ts';
import { decodeCursor, toPage } from '../../lib/pagination.ts';
import { HttpProblem } from '../../lib/http-problem.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { newWebhookSecret, signatureHeader } from './signature.ts';
import { checkWebhookUrl } from './url-safety.ts';
import { postWebhook, type AttemptResult } from './webhook-post.ts';
import { toDelivery, toEndpoint } from './webhooks.mapper.ts';
import {
  abandonDelivery,
  deleteEndpoint,
  dispatchEvents,
  findDelivery,
  findDeliveryTarget,
  findEndpoint,
  insertDelivery,
  insertEndpoint,
  listAttempts,
  listDeliveries,
  listEndpoints,
  recordAttempt,
  updateEndpoint,
} from './webhooks.repository.ts';

export type WebhookSettings = Config['webhooks'];

const notFound = () => new HttpProblem(404, 'not_found', 'There is no such webhook endpoint.');

export async function createEndpoint(
  db: Database,
  settings: WebhookSettings,
  body: CreateWebhookEndpointBody,
  userId: string,
): Promise<WebhookEndpointWithSecret> {
  const url = await checkWebhookUrl(body.url, settings.refusePrivate);
  const secret = newWebhookSecret();
  const row = await insertEndpoint(db, {
    url,
    events: [...body.events],
    description: body.description?.trim() ?? '',
    secret,
    createdBy: userId,
  });
  return { ...toEndpoint(row), secret };
}

export async function getEndpoint(db: Database, id: string): Promise<WebhookEndpoint> {
  const row = await findEndpoint(db, id);
  if (row === undefined) throw notFound();
  return toEndpoint(row);
}

export async function listAllEndpoints(
  db: Database,
  query: { cursor?: string; limit?: number },
): Promise<Page<WebhookEndpoint>> {
  const limit = query.limit ?? 50;
  const rows = await listEndpoints(db, decodeCursor(query.cursor), limit);
  return toPage(rows, limit, toEndpoint);
}

export async function changeEndpoint(
  db: Database,
  settings: WebhookSettings,
  id: string,
  body: UpdateWebhookEndpointBody,
): Promise<WebhookEndpoint> {
  const url =
    body.url === undefined ? undefined : await checkWebhookUrl(body.url, settings.refusePrivate);
  const row = await updateEndpoint(db, id, {
    ...(url === undefined ? {} : { url }),
    ...(body.events === undefined ? {} : { events: [...body.events] }),
    ...(body.description === undefined ? {} : { description: body.description.trim() }),
    ...(body.enabled === undefined ? {} : { enabled: body.enabled }),
  });
  if (row === undefined) throw notFound();
  return toEndpoint(row);
}

/** A new secret, answered once; the old one stops signing at once. */
export async function rotateSecret(db: Database, id: string): Promise<WebhookEndpointWithSecret> {
  const secret = newWebhookSecret();
  const row = await updateEndpoint(db, id, { secret });
  if (row === undefined) throw notFound();
  return { ...toEndpoint(row), secret };
}

export async function removeEndpoint(db: Database, id: string): Promise<void> {
  if (!(await deleteEndpoint(db, id))) throw notFound();
}

export async function listEndpointDeliveries(
  db: Database,
  endpointId: string,
  query: { cursor?: string; limit?: number },
): Promise<Page<WebhookDelivery>> {
  if ((await findEndpoint(db, endpointId)) === undefined) throw notFound();
  const limit = query.limit ?? 50;
  const rows = await listDeliveries(db, endpointId, decodeCursor(query.cursor), limit);
  const attempts = await listAttempts(
    db,
    rows.slice(0, limit).map((r) => r.id),
  );
  return toPage(rows, limit, (row) =>
    toDelivery(
      row,
      attempts.filter((a) => a.delivery_id === row.id),
    ),
  );
}

function sendDeliveryJobs(
  trx: Transaction<DB>,
  jobs: JobQueue,
  deliveryIds: readonly string[],
  startAfterSeconds = 0,
) {
  if (deliveryIds.length === 0) return Promise.resolve();
  return jobs.boss.insert(
    'deliver_webhook',
    deliveryIds.map((deliveryId) => ({
      data: { deliveryId },
      ...(startAfterSeconds > 0 ? { startAfter: startAfterSeconds } : {}),
    })),
    { db: fromKysely(trx) },
  );
}

/** A new delivery of the event to the same endpoint, sent at once. */
export async function resendDelivery(
  db: Database,
  jobs: JobQueue,
  endpointId: string,
  deliveryId: string,
): Promise<WebhookDelivery> {
  const endpoint = await findEndpoint(db, endpointId);
  if (endpoint === undefined) throw notFound();
  const delivery = await findDelivery(db, endpointId, deliveryId);
  if (delivery === undefined)
    throw new HttpProblem(404, 'not_found', 'This endpoint has no such delivery.');
  if (!endpoint.enabled)
    throw new HttpProblem(409, 'conflict', 'The endpoint is disabled; enable it first.');
  const id = await transaction(db, async (trx) => {
    const { id } = await insertDelivery(trx, endpointId, delivery.event_id);
    await sendDeliveryJobs(trx, jobs, [id]);
    return id;
  });
  jobs.poke('deliver_webhook');
  const row = await findDelivery(db, endpointId, id);
  if (row === undefined) throw notFound();
  return toDelivery(row, []);
}

/** One pass over the outbox: returns how many deliveries it created. */
export async function dispatchOnce(db: Database, jobs: JobQueue, limit = 200): Promise<number> {
  const created = await transaction(db, async (trx) => {
    const ids = await dispatchEvents(trx, limit);
    await sendDeliveryJobs(trx, jobs, ids);
    return ids.length;
  });
  if (created > 0) jobs.poke('deliver_webhook');
  return created;
}

export interface DeliveryJob {
  deliveryId: string;
  signal: AbortSignal;
  /** Completes the job in the transaction that records the attempt. */
  completeWithin(trx: Transaction<DB>): Promise<void>;
}

/**
 * Makes the next attempt at a delivery and records it; after a failure, sends the retry job due
 * after the next delay, or marks the delivery failed once the delays are used up.
 */
export async function attemptDelivery(
  db: Database,
  jobs: JobQueue,
  settings: WebhookSettings,
  job: DeliveryJob,
): Promise<void> {
  const target = await findDeliveryTarget(db, job.deliveryId);
  if (target === undefined || target.status !== 'pending') return;
  if (!target.enabled) {
    await abandonDelivery(db, target.id, 'the endpoint was disabled');
    return;
  }
  const body = JSON.stringify({
    id: target.event_id,
    type: target.event_type,
    createdAt: target.event_created_at.toISOString(),
    data: target.event_data,
  });
  const timestamp = Math.floor(Date.now() / 1000);
  const result: AttemptResult = await postWebhook(
    target.url,
    body,
    {
      'content-type': 'application/json',
      'user-agent': 'couponscan-webhooks/1',
      [WEBHOOK_SIGNATURE_HEADER.toLowerCase()]: signatureHeader(target.secret, timestamp, body),
      [WEBHOOK_EVENT_ID_HEADER.toLowerCase()]: target.event_id,
      [WEBHOOK_EVENT_TYPE_HEADER.toLowerCase()]: target.event_type,
      [WEBHOOK_DELIVERY_ID_HEADER.toLowerCase()]: target.id,
    },
    { timeoutMs: settings.timeoutMs, refusePrivate: settings.refusePrivate, signal: job.signal },
  );
  if (result.outcome !== 'succeeded') webhookFailures.inc({ reason: result.outcome });
  const number = target.attempts + 1;
  const delay = settings.retryDelaysSeconds[number - 1];
  await transaction(db, async (trx) => {
    const recorded = await recordAttempt(
      trx,
      target.id,
      number,
      result,
      result.outcome === 'succeeded'
        ? { status: 'succeeded' }
        : delay === undefined
          ? { status: 'failed' }
          : { status: 'pending', retryInSeconds: delay },
    );
    if (recorded && result.outcome !== 'succeeded' && delay !== undefined)
      await sendDeliveryJobs(trx, jobs, [target.id], delay);
    await job.completeWithin(trx);
  });
  if (result.outcome !== 'succeeded' && delay === 0) jobs.poke('deliver_webhook');
}
