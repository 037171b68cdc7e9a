import type { Page } from '@couponscan/shared/common';
import type { LedgerEntry, ReversalBody } from '@couponscan/shared/redemptions';
import { apiRequest } from '../../../lib/api-client.ts';

/** This user's latest ledger rows (redemptions and reversals), newest first. */
export function fetchMyRedemptions(signal?: AbortSignal): Promise<Page<LedgerEntry>> {
  return apiRequest<Page<LedgerEntry>>('/api/redemptions', {
    query: { mine: true, limit: 10 },
    timeoutMs: 10_000,
    signal,
  });
}

/** Undo a redemption: the server appends a reversal row and answers with it. */
export function reverseRedemption(redemptionId: string, reason: string): Promise<LedgerEntry> {
  const body: ReversalBody = { reason };
  return apiRequest<LedgerEntry>(`/api/redemptions/${encodeURIComponent(redemptionId)}/reversal`, {
    method: 'POST',
    body,
    timeoutMs: 10_000,
  });
}
