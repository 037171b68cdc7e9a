// Issuing coupons in batches: small ones within the request, large ones as a background job.
import {
  BATCH_INLINE_MAX_COUNT,
  BATCH_STATUSES,
  guessProbability,
  MAX_GUESS_PROBABILITY,
  SHEET_MAX_COUPONS,
  type Batch,
  type BatchListItem,
  type BatchStatus,
  type CreateBatchBody,
  type ListBatchesQuery,
} from '@couponscan/shared/batches';
import type { Discount } from '@couponscan/shared/campaigns';
import type { Page } from '@couponscan/shared/common';
import { decodeCursor, toPage } from '../../lib/pagination.ts';
import { formatCouponCode, parsePrefix, RANDOM_LENGTH } from '@couponscan/shared/code';
import type { Database } from '../../db/database.ts';
import { transaction } from '../../db/transaction.ts';
import { HttpProblem } from '../../lib/http-problem.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import { toDiscount } from '../campaigns/campaigns.mapper.ts';
import { findCampaign } from '../campaigns/campaigns.repository.ts';
import { campaignOpenForIssuing } from '../campaigns/campaigns.service.ts';
import {
  batchCodeBefore,
  estimateCouponCount,
  listBatchCoupons,
} from '../coupons/coupons.repository.ts';
import {
  JobCancelled,
  JobFailed,
  throwIfStopped,
  WorkerStopped,
  type JobDefinition,
  type JobQueue,
} from '../jobs/job-queue.ts';
import { insertBatchCoupons, type IssuingOptions } from './batch-issuing.ts';
import { COUPONS_PER_PAGE, renderSheet, type SheetCoupon } from './batch-sheet.ts';
import { toBatch } from './batches.mapper.ts';
import {
  findBatch,
  insertBatch,
  listAllBatches,
  listCampaignBatches,
  markBatchEnded,
  markBatchQueued,
  markBatchRunning,
  markBatchSucceeded,
  recordBatchProgress,
} from './batches.repository.ts';

function prefixOrThrow(raw: string | undefined): string {
  if (raw === undefined) return '';
  const parsed = parsePrefix(raw);
  if (!parsed.ok) {
    throw new HttpProblem(422, 'validation_failed', `prefix: ${parsed.message}`, {}, [
      { pointer: '/body/prefix', message: parsed.message },
    ]);
  }
  return parsed.prefix;
}

/**
 * Refuses a batch when one random guess of a well-formed code would hit a valid one with a
 * chance of one in a billion or more. Counted generously: every coupon in the table (the
 * planner's estimate) plus the new ones, as if they all shared this prefix.
 */
export function assertCodeSpace(count: number, existing: number, randomLength = RANDOM_LENGTH) {
  const chance = guessProbability(existing + count, randomLength);
  if (chance >= MAX_GUESS_PROBABILITY) {
    throw new HttpProblem(
      422,
      'code_space_too_small',
      `${randomLength} random characters leave ${32 ** randomLength} possible codes; with ` +
        `${existing + count} valid ones a single random guess would hit one with a chance of ` +
        `${chance.toExponential(1)}, and it must stay below ${MAX_GUESS_PROBABILITY}. ` +
        'Issue fewer coupons or use longer codes.',
      { guessProbability: chance, maxGuessProbability: MAX_GUESS_PROBABILITY },
    );
  }
}

/**
 * `db` for the quick part (checks, and the queued batch with its job); `pools.bulk` for issuing
 * a small batch within the request, which is bulk work.
 */
export async function createBatch(
  db: Database,
  pools: { bulk: Database; jobs: JobQueue },
  user: AuthUser,
  campaignId: string,
  body: CreateBatchBody,
  options: IssuingOptions = {},
): Promise<{ batch: Batch; completed: boolean }> {
  const prefix = prefixOrThrow(body.prefix);
  // judged first outside the transactions below (a missing campaign is 404, not a code-space
  // refusal), and again inside each, on the row locked until the batch commits
  const campaign = await campaignOpenForIssuing(db, campaignId);
  assertCodeSpace(body.count, await estimateCouponCount(db));
  const values = {
    campaign_id: campaign.id,
    source: 'generated' as const,
    count: body.count,
    prefix: prefix === '' ? null : prefix,
    created_by: user.id,
  };

  const { bulk, jobs } = pools;
  if (body.count <= BATCH_INLINE_MAX_COUNT) {
    const row = await transaction(bulk, async (trx) => {
      await campaignOpenForIssuing(trx, campaign.id);
      const batch = await insertBatch(trx, { ...values, status: 'running' });
      await insertBatchCoupons(
        trx,
        {
          id: batch.id,
          campaignId: campaign.id,
          count: batch.count,
          prefix,
          maxRedemptions: campaign.max_redemptions_per_coupon,
        },
        options,
      );
      const done = await markBatchSucceeded(trx, batch.id, batch.count);
      if (done === undefined) throw new Error('the new batch vanished');
      return done;
    });
    return { batch: toBatch(row), completed: true };
  }

  const row = await transaction(db, async (trx) => {
    await campaignOpenForIssuing(trx, campaign.id);
    const batch = await insertBatch(trx, { ...values, status: 'queued' });
    await jobs.send(trx, 'issue_batch', { batchId: batch.id } satisfies IssueBatchData);
    return batch;
  });
  jobs.poke('issue_batch');
  return { batch: toBatch(row), completed: false };
}

export async function getBatch(db: Database, id: string): Promise<Batch> {
  const row = await findBatch(db, id);
  if (row === undefined) throw new HttpProblem(404, 'not_found', 'There is no such batch.');
  return toBatch(row);
}

export async function listBatches(db: Database, campaignId: string): Promise<Batch[]> {
  if ((await findCampaign(db, campaignId)) === undefined)
    throw new HttpProblem(404, 'not_found', 'There is no such campaign.');
  return (await listCampaignBatches(db, campaignId, 100)).map(toBatch);
}

/** GET /api/batches: across campaigns, e.g. the ones still at work (`?status=queued,running`). */
export async function listBatchesAcrossCampaigns(
  db: Database,
  query: ListBatchesQuery,
): Promise<Page<BatchListItem>> {
  const limit = query.limit ?? 50;
  const statuses =
    query.status === undefined ? [] : [...new Set(query.status.split(','))].filter(isBatchStatus);
  const rows = await listAllBatches(
    db,
    {
      ...(query.campaignId === undefined ? {} : { campaignId: query.campaignId }),
      statuses,
    },
    decodeCursor(query.cursor),
    limit,
  );
  return toPage(rows, limit, (row) => ({ ...toBatch(row), campaignName: row.campaign_name }));
}

const isBatchStatus = (value: string): value is BatchStatus =>
  (BATCH_STATUSES as readonly string[]).includes(value);

/** Cancels a queued or running batch; its job notices after its current chunk and rolls back. */
export async function cancelBatch(db: Database, id: string): Promise<Batch> {
  const cancelled = await markBatchEnded(db, id, 'cancelled', null);
  if (cancelled !== undefined) return toBatch(cancelled);
  const batch = await getBatch(db, id);
  throw new HttpProblem(409, 'conflict', `This batch has ${batch.status} already.`);
}

interface IssueBatchData {
  batchId: string;
}

function batchIdOf(payload: unknown): string {
  if (typeof payload === 'object' && payload !== null && 'batchId' in payload) {
    const { batchId } = payload;
    if (typeof batchId === 'string') return batchId;
  }
  throw new Error('an issue_batch job without a batchId');
}

const UNEXPECTED_FAILURE = 'the job failed on our side (the error was logged); try again';
const WORKER_DIED = 'the worker running this job stopped before it finished';

export interface IssueBatchJobOptions extends IssuingOptions {
  /** First retry delay; doubles each time. */
  retryDelaySeconds: number;
  heartbeatSeconds: number;
}

/**
 * The background job that issues a large batch, on `db` (the bulk pool). Its coupons, the batch's
 * `succeeded` and the job's completion commit in one transaction: a failed, stopped or killed
 * attempt leaves nothing, and the next one starts over. `options` lets tests force collisions.
 */
export function issueBatchJob(
  db: Database,
  options: IssueBatchJobOptions,
): JobDefinition<IssueBatchData> {
  return {
    name: 'issue_batch',
    queue: {
      retryLimit: 3,
      retryDelay: options.retryDelaySeconds,
      retryBackoff: options.retryDelaySeconds > 0,
      // a million coupons take about a minute; a dead worker is noticed by its missing heartbeat
      expireInSeconds: 3600,
      heartbeatSeconds: options.heartbeatSeconds,
      deadLetter: 'issue_batch_dead',
    },
    async run(job) {
      const batchId = batchIdOf(job.data);
      const batch = await markBatchRunning(db, batchId);
      if (batch === undefined) throw new JobCancelled('the batch was cancelled before it started');
      try {
        await db.transaction().execute(async (trx) => {
          const campaign = await findCampaign(trx, batch.campaign_id);
          if (campaign === undefined) throw new Error(`batch ${batchId} has no campaign`);
          await insertBatchCoupons(
            trx,
            {
              id: batch.id,
              campaignId: campaign.id,
              count: batch.count,
              prefix: batch.prefix ?? '',
              maxRedemptions: campaign.max_redemptions_per_coupon,
            },
            {
              ...options,
              afterChunk: async (generated) => {
                if (!(await recordBatchProgress(db, batch.id, generated))) throw new JobCancelled();
                await options.afterChunk?.(generated);
                throwIfStopped(job.signal);
              },
            },
          );
          if ((await markBatchSucceeded(trx, batch.id, batch.count)) === undefined)
            throw new JobCancelled();
          await job.completeWithin(trx);
        });
      } catch (error) {
        if (error instanceof JobFailed) {
          await markBatchEnded(db, batchId, 'failed', error.message);
        } else if (!(error instanceof JobCancelled)) {
          // stopped or failed: the next attempt starts over, unless this was the last one
          const last = job.retryCount >= job.retryLimit;
          if (last && !(error instanceof WorkerStopped)) {
            await markBatchEnded(db, batchId, 'failed', UNEXPECTED_FAILURE);
          } else {
            await markBatchQueued(db, batchId);
          }
        }
        throw error;
      }
    },
  };
}

/**
 * Batch jobs that used every attempt (their worker kept dying or stopping) land here: the batch
 * fails with a reason instead of staying `running` for ever.
 */
export function issueBatchDeadJob(db: Database): JobDefinition<IssueBatchData> {
  return {
    name: 'issue_batch_dead',
    async run(job) {
      await markBatchEnded(db, batchIdOf(job.data), 'failed', WORKER_DIED);
    },
  };
}

/** How the sheet states the discount: the marketer's description, else the amount. */
function describeDiscount(discount: Discount): string {
  if (discount.description.trim() !== '') return discount.description;
  if (discount.type === 'percent') return `${String(discount.value ?? 0)}% off`;
  if (discount.type === 'fixed_amount') {
    return `${(discount.value ?? 0).toFixed(2)} ${discount.currency ?? ''} off`;
  }
  return 'free item';
}

async function* sheetPages(
  db: Database,
  batchId: string,
  afterCode: string,
  total: number,
): AsyncGenerator<SheetCoupon[]> {
  // 20 pages per query: few round trips, little memory
  const readSize = COUPONS_PER_PAGE * 20;
  let after = afterCode;
  let left = total;
  while (left > 0) {
    const rows = await listBatchCoupons(db, batchId, after, Math.min(readSize, left));
    if (rows.length === 0) return;
    left -= rows.length;
    after = rows.at(-1)?.code ?? after;
    for (let i = 0; i < rows.length; i += COUPONS_PER_PAGE) {
      yield rows
        .slice(i, i + COUPONS_PER_PAGE)
        .map(({ code }) => ({ code, displayCode: formatCouponCode(code) }));
    }
  }
}

/**
 * The printable sheet of a succeeded batch: SHEET_MAX_COUPONS coupons at most, so a larger
 * batch is printed in parts (`part` 1, 2, …), in code order.
 */
export async function printBatchSheet(
  db: Database,
  batchId: string,
  part: number | undefined,
  onError: (error: unknown) => void,
): Promise<{ filename: string; pdf: NodeJS.ReadableStream }> {
  const batch = await getBatch(db, batchId);
  if (batch.status !== 'succeeded') {
    throw new HttpProblem(
      409,
      'conflict',
      `This batch is ${batch.status}; only a batch that succeeded can be printed.`,
    );
  }
  const parts = Math.ceil(batch.count / SHEET_MAX_COUPONS);
  if (part === undefined && parts > 1) {
    throw new HttpProblem(
      422,
      'sheet_too_large',
      `This batch has ${batch.count} coupons and a sheet holds at most ${SHEET_MAX_COUPONS}: ` +
        `print it in ${parts} parts, ?part=1 to ?part=${parts}.`,
      { maxCoupons: SHEET_MAX_COUPONS, parts },
    );
  }
  const index = (part ?? 1) - 1;
  if (index >= parts) {
    throw new HttpProblem(422, 'validation_failed', `This batch has ${parts} parts.`, {}, [
      { pointer: '/querystring/part', message: `must be at most ${parts}` },
    ]);
  }
  const campaign = await findCampaign(db, batch.campaignId);
  if (campaign === undefined) throw new Error(`batch ${batch.id} has no campaign`);
  const offset = index * SHEET_MAX_COUPONS;
  const afterCode = await batchCodeBefore(db, batch.id, offset);
  if (afterCode === null) throw new Error(`batch ${batch.id} has fewer coupons than it says`);
  const pdf = renderSheet(
    {
      campaignName: campaign.name,
      discount: describeDiscount(toDiscount(campaign)),
      title: `${campaign.name}: coupons${parts > 1 ? `, part ${String(index + 1)} of ${String(parts)}` : ''}`,
    },
    sheetPages(db, batch.id, afterCode, Math.min(SHEET_MAX_COUPONS, batch.count - offset)),
    onError,
  );
  return {
    filename: `coupons-${batch.id}${parts > 1 ? `-part-${String(index + 1)}` : ''}.pdf`,
    pdf,
  };
}
