// The background jobs of batches: issuing a large batch, and failing one whose attempts ran out.
import type { Database } from '../../db/database.ts';
import { HttpProblem } from '../../lib/http-problem.ts';
import { campaignOpenForIssuing } from '../campaigns/campaigns.service.ts';
import {
  JobCancelled,
  JobFailed,
  throwIfStopped,
  WorkerStopped,
  type JobDefinition,
} from '../jobs/job-queue.ts';
import { insertBatchCoupons, type IssuingOptions } from './batch-issuing.ts';
import {
  markBatchEnded,
  markBatchQueued,
  markBatchRunning,
  markBatchSucceeded,
  recordBatchProgress,
} from './batches.repository.ts';

export interface IssueBatchData {
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
const CAMPAIGN_CLOSED =
  'the campaign was archived after this batch was queued; no coupons were issued';

/**
 * The batch's campaign, judged again when the job runs by the one "open for issuing" rule and
 * locked FOR SHARE until the coupons commit, as in-request issuing does: a campaign archived while
 * the batch waited in the queue fails it, and an archive that comes while the job runs waits for it.
 */
async function campaignStillOpen(trx: Database, campaignId: string) {
  try {
    return await campaignOpenForIssuing(trx, campaignId);
  } catch (error) {
    if (error instanceof HttpProblem) throw new JobFailed(CAMPAIGN_CLOSED);
    throw error;
  }
}

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
          const campaign = await campaignStillOpen(trx, batch.campaign_id);
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
