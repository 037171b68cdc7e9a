import type { Batch } from '@couponscan/shared/batches';
import type { BatchRow } from './batches.repository.ts';

export function toBatch(row: BatchRow): Batch {
  return {
    id: row.id,
    campaignId: row.campaign_id,
    source: row.source,
    count: row.count,
    prefix: row.prefix,
    status: row.status,
    generated: row.generated,
    error: row.error,
    createdAt: row.created_at.toISOString(),
    startedAt: row.started_at?.toISOString() ?? null,
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}
