// This device's latest redemptions, for undo, as TanStack Query server state. The
// server's list (GET /api/redemptions?mine=true) is the truth; a redemption made here is shown at
// once beside it (so the list never lags behind the verdict, whenever the list's load answers),
// and an undo marks its row in both.
// The list loads when the scanner opens and again only on explicit events (the page shown again,
// the network back, Retry), never on a timer: nothing changes it behind a test's back.
// Redemptions themselves are not a mutation here: their retries keep one Idempotency-Key
// (api/redeem-coupon.ts), which TanStack's retry would not.
import type { Page } from '@couponscan/shared/common';
import type { LedgerEntry } from '@couponscan/shared/redemptions';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useMemo, useState } from 'react';
import { fetchMyRedemptions, reverseRedemption } from '../api/my-redemptions.ts';

export interface RecentRedemptions {
  /** Redemptions only (reversals show as `reversedById` on the redemption they undo). */
  entries: LedgerEntry[];
  /** loading until the first answer; failed when loading failed and nothing is shown. */
  status: 'loading' | 'loaded' | 'failed';
  loadFailed: boolean;
  reload: () => void;
  added: (redemption: LedgerEntry) => void;
  /** Resolves with the reversal; rejects with the ApiError/TransportError. */
  undo: (redemptionId: string, reason: string) => Promise<LedgerEntry>;
}

export const MY_REDEMPTIONS_KEY = ['redemptions', 'mine'] as const;
const MAX_ENTRIES = 10;

/** Redemptions only, newest first, each once (an undone copy wins over one that is not). */
function recentOnly(items: readonly LedgerEntry[]): LedgerEntry[] {
  const byId = new Map<string, LedgerEntry>();
  for (const entry of items) {
    if (entry.kind !== 'redemption') continue;
    const known = byId.get(entry.id);
    if (known === undefined || (known.reversedById === null && entry.reversedById !== null)) {
      byId.set(entry.id, entry);
    }
  }
  return [...byId.values()]
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .slice(0, MAX_ENTRIES);
}

export function useRecentRedemptions(): RecentRedemptions {
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: MY_REDEMPTIONS_KEY,
    queryFn: ({ signal }) => fetchMyRedemptions(signal),
    // shown again after the phone was in a pocket: ask (the app's default is not to)
    refetchOnWindowFocus: true,
  });

  // made on this device since the scanner opened
  const [local, setLocal] = useState<LedgerEntry[]>([]);

  const updateList = useCallback(
    (change: (items: LedgerEntry[]) => LedgerEntry[]) => {
      setLocal(change);
      queryClient.setQueryData<Page<LedgerEntry>>(MY_REDEMPTIONS_KEY, (page) =>
        page === undefined ? page : { ...page, items: change(page.items) },
      );
    },
    [queryClient],
  );

  const added = useCallback((redemption: LedgerEntry) => {
    setLocal((items) => [redemption, ...items].slice(0, MAX_ENTRIES));
  }, []);

  const reversal = useMutation({
    mutationFn: ({ redemptionId, reason }: { redemptionId: string; reason: string }) =>
      reverseRedemption(redemptionId, reason),
    onSuccess: (entry, { redemptionId, reason }) => {
      updateList((items) =>
        items.map((item) =>
          item.id === redemptionId
            ? { ...item, reversedById: entry.id, reason, undoableUntil: null }
            : item,
        ),
      );
    },
  });
  const { mutateAsync } = reversal;
  const undo = useCallback(
    (redemptionId: string, reason: string) => mutateAsync({ redemptionId, reason }),
    [mutateAsync],
  );

  const { refetch } = query;
  const reload = useCallback(() => {
    refetch().catch(() => undefined);
  }, [refetch]);

  const server = query.data?.items;
  const entries = useMemo(() => recentOnly([...local, ...(server ?? [])]), [local, server]);
  const failed = query.isError && query.data === undefined;
  return {
    entries,
    status: failed ? 'failed' : query.isPending ? 'loading' : 'loaded',
    loadFailed: failed,
    reload,
    added,
    undo,
  };
}
