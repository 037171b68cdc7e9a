// Issuing coupons in batches: small ones within the request, large ones as a background job
// (batches.jobs.ts); their printable sheets are in batch-printing.ts.
import {
  BATCH_INLINE_MAX_COUNT,
  BATCH_STATUSES,
  guessProbability,
  MAX_GUESS_PROBABILITY,
  type Batch,
  type BatchListItem,
  type BatchStatus,
  type CreateBatchBody,
  type ListBatchesQuery,
} from '@couponscan/shared/batches';
import type { Page } from '@couponscan/shared/common';
import { decodeCursor, toPage } from '../../lib/pagination.ts';
import { parsePrefix, RANDOM_LENGTH } from '@couponscan/shared/code';
import type { Database } from '../../db/database.ts';
import { transaction } from '../../db/transaction.ts';
import { HttpProblem } from '../../lib/http-problem.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import { findCampaign } from '../campaigns/campaigns.repository.ts';
import { campaignOpenForIssuing } from '../campaigns/campaigns.service.ts';
import { estimateCouponCount } from '../coupons/coupons.repository.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { insertBatchCoupons, type IssuingOptions } from './batch-issuing.ts';
import type { IssueBatchData } from './batches.jobs.ts';
import { toBatch } from './batches.mapper.ts';
import {
  findBatch,
  insertBatch,
  listAllBatches,
  listCampaignBatches,
  markBatchEnded,
  markBatchSucceeded,
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
