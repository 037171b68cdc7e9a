// All Kysely for batches (the coupons they issue are inserted by coupons.repository.ts).
import { sql } from 'kysely';
import type { Database } from '../../db/database.ts';
import { olderThan, type Position } from '../../lib/pagination.ts';

export function insertBatch(
  db: Database,
  values: {
    campaign_id: string;
    source: 'generated' | 'imported';
    count: number;
    prefix: string | null;
    created_by: string;
    status: 'queued' | 'running';
  },
) {
  return db
    .insertInto('batches')
    .values({ ...values, started_at: values.status === 'running' ? sql<Date>`now()` : null })
    .returningAll()
    .executeTakeFirstOrThrow();
}
export type BatchRow = Awaited<ReturnType<typeof insertBatch>>;

export function findBatch(db: Database, id: string) {
  return db.selectFrom('batches').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listCampaignBatches(db: Database, campaignId: string, limit: number) {
  return db
    .selectFrom('batches')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** Batches of every campaign with the campaign's name, newest first. */
export function listAllBatches(
  db: Database,
  filter: { campaignId?: string; statuses?: readonly BatchRow['status'][] },
  after: Position | null,
  limit: number,
) {
  let query = db
    .selectFrom('batches')
    .innerJoin('campaigns', 'campaigns.id', 'batches.campaign_id')
    .selectAll('batches')
    .select('campaigns.name as campaign_name')
    .orderBy('batches.created_at', 'desc')
    .orderBy('batches.id', 'desc')
    .limit(limit + 1);
  if (filter.campaignId !== undefined)
    query = query.where('batches.campaign_id', '=', filter.campaignId);
  if (filter.statuses !== undefined && filter.statuses.length > 0)
    query = query.where('batches.status', 'in', filter.statuses);
  if (after !== null) query = query.where(olderThan('batches', 'batches', after));
  return query.execute();
}

/** A new attempt starts from nothing; undefined when the batch was cancelled meanwhile. */
export function markBatchRunning(db: Database, id: string) {
  return db
    .updateTable('batches')
    .set({ status: 'running', generated: 0, error: null, started_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('status', 'in', ['queued', 'running'])
    .returningAll()
    .executeTakeFirst();
}

/** Progress, seen at once by others; false when the batch is no longer running (cancelled). */
export async function recordBatchProgress(
  db: Database,
  id: string,
  generated: number,
): Promise<boolean> {
  const row = await db
    .updateTable('batches')
    .set({ generated })
    .where('id', '=', id)
    .where('status', '=', 'running')
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** In the transaction that inserted the coupons, so both commit together. */
export function markBatchSucceeded(db: Database, id: string, generated: number) {
  return db
    .updateTable('batches')
    .set({ status: 'succeeded', generated, error: null, finished_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('status', 'in', ['queued', 'running'])
    .returningAll()
    .executeTakeFirst();
}

export function markBatchEnded(
  db: Database,
  id: string,
  status: 'failed' | 'cancelled',
  error: string | null,
) {
  return db
    .updateTable('batches')
    .set({ status, error, finished_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('status', 'in', ['queued', 'running'])
    .returningAll()
    .executeTakeFirst();
}

/** Back in the queue after a stop: the next attempt starts over. */
export function markBatchQueued(db: Database, id: string) {
  return db
    .updateTable('batches')
    .set({ status: 'queued', generated: 0, started_at: null })
    .where('id', '=', id)
    .where('status', '=', 'running')
    .executeTakeFirst();
}
