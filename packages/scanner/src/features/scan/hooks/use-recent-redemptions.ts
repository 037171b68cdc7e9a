// This device's latest redemptions, for undo. The server's list (GET /api/redemptions?mine=true) is
// the truth; redemptions made here are added at once so the list never lags behind the verdict.
// It is loaded when the scanner opens and again only on explicit events (the page shown again,
// the network back, Retry), never on a timer: nothing changes it behind a test's back (issue 11).
import type { LedgerEntry } from '@couponscan/shared/redemptions';
import { useCallback, useEffect, useState } from 'react';
import { fetchMyRedemptions, reverseRedemption } from '../api/my-redemptions.ts';

export interface RecentRedemptions {
  /** Redemptions only (reversals show as `reversedById` on the redemption they undo). */
  entries: LedgerEntry[];
  /** loading until the first answer; failed when the last load failed. */
  status: 'loading' | 'loaded' | 'failed';
  loadFailed: boolean;
  reload: () => void;
  added: (redemption: LedgerEntry) => void;
  /** Resolves with the reversal; rejects with the ApiError/TransportError. */
  undo: (redemptionId: string, reason: string) => Promise<LedgerEntry>;
}

const MAX_ENTRIES = 10;

function merge(server: LedgerEntry[], local: LedgerEntry[]): LedgerEntry[] {
  const byId = new Map<string, LedgerEntry>();
  for (const entry of [...local, ...server]) {
    if (entry.kind === 'redemption') byId.set(entry.id, entry);
  }
  return [...byId.values()]
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .slice(0, MAX_ENTRIES);
}

export function useRecentRedemptions(): RecentRedemptions {
  const [entries, setEntries] = useState<LedgerEntry[]>([]);
  const [status, setStatus] = useState<RecentRedemptions['status']>('loading');
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    fetchMyRedemptions(controller.signal).then(
      (page) => {
        setEntries((local) => merge(page.items, local));
        setStatus('loaded');
      },
      () => {
        if (!controller.signal.aborted) setStatus('failed');
      },
    );
    return () => {
      controller.abort();
    };
  }, [generation]);

  const reload = useCallback(() => {
    setGeneration((n) => n + 1);
  }, []);

  useEffect(() => {
    const onVisible = () => {
      if (document.visibilityState === 'visible') reload();
    };
    document.addEventListener('visibilitychange', onVisible);
    window.addEventListener('online', reload);
    return () => {
      document.removeEventListener('visibilitychange', onVisible);
      window.removeEventListener('online', reload);
    };
  }, [reload]);

  const added = useCallback((redemption: LedgerEntry) => {
    setEntries((current) => merge([], [redemption, ...current]));
  }, []);

  const undo = useCallback(async (redemptionId: string, reason: string) => {
    const reversal = await reverseRedemption(redemptionId, reason);
    setEntries((current) =>
      current.map((entry) =>
        entry.id === redemptionId ? { ...entry, reversedById: reversal.id, reason } : entry,
      ),
    );
    return reversal;
  }, []);

  return { entries, status, loadFailed: status === 'failed', reload, added, undo };
}
