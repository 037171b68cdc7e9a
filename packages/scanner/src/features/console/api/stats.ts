// The dashboard's figures (aggregated by the server), suspicious activity, and the live feed: a
// server-sent event stream of committed ledger rows. While the stream is down, the figures are
// polled instead; when it is back, polling stops.
import {
  STATS_POLL_SECONDS,
  type LedgerEvent,
  type StatsOverview,
  type SuspiciousActivity,
} from '@couponscan/shared/stats';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { apiRequest } from '../../../lib/api-client.ts';
import { viewerTimeZone } from '../lib/zoned-dates.ts';

export const statsKeys = {
  all: ['stats'] as const,
  overview: (campaignId: string | null, tz: string) =>
    ['stats', 'overview', campaignId, tz] as const,
  suspicious: (campaignId: string | null) => ['stats', 'suspicious', campaignId] as const,
};

export type LiveState = 'connecting' | 'live' | 'polling';

export function useStatsOverview(campaignId: string | null, live: LiveState) {
  const tz = viewerTimeZone();
  return useQuery({
    queryKey: statsKeys.overview(campaignId, tz),
    queryFn: ({ signal }) =>
      apiRequest<StatsOverview>('/api/stats/overview', {
        query: { campaignId: campaignId ?? undefined, tz },
        signal,
      }),
    staleTime: 0,
    // live: every announced redemption refetches; once a minute as well, since an announcement
    // is best effort (dropped if the database was unreachable at that moment)
    refetchInterval: live === 'live' ? 60_000 : STATS_POLL_SECONDS * 1_000,
  });
}

export function useSuspiciousActivity(campaignId: string | null, live: LiveState) {
  return useQuery({
    queryKey: statsKeys.suspicious(campaignId),
    queryFn: ({ signal }) =>
      apiRequest<SuspiciousActivity>('/api/stats/suspicious', {
        query: { campaignId: campaignId ?? undefined },
        signal,
      }),
    refetchInterval: live === 'live' ? 60_000 : 30_000,
  });
}

/** A closed stream is opened again after this long (meanwhile the figures are polled). */
const REOPEN_MS = 5_000;
/** A burst of events refetches the figures at most this often. */
const REFETCH_GAP_MS = 1_000;

/**
 * Listens to /api/stats/stream and refreshes the figures on every committed redemption or
 * reversal. While the stream is down the figures are polled and the stream is opened again; once
 * it is back, it refetches once and polling stops. (The server's `: ping` heartbeats are SSE
 * comments, which EventSource never surfaces: a dropped connection shows as an `error` event.)
 */
export function useLiveFeed(campaignId: string | null): LiveState {
  const queryClient = useQueryClient();
  const [state, setState] = useState<LiveState>(() =>
    typeof EventSource === 'undefined' ? 'polling' : 'connecting',
  );
  const refresh = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    if (typeof EventSource === 'undefined') return undefined;
    const url =
      campaignId === null
        ? '/api/stats/stream'
        : `/api/stats/stream?campaignId=${encodeURIComponent(campaignId)}`;
    let source: EventSource | null = null;
    let reopen: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;

    const refetchSoon = () => {
      if (refresh.current !== null) return;
      refresh.current = setTimeout(() => {
        refresh.current = null;
        void queryClient.invalidateQueries({ queryKey: statsKeys.all });
      }, REFETCH_GAP_MS);
    };
    const down = () => {
      setState('polling');
      source?.close();
      source = null;
      clearTimeout(reopen);
      reopen = setTimeout(open, REOPEN_MS);
    };
    function open() {
      if (stopped) return;
      const current = new EventSource(url, { withCredentials: true });
      source = current;
      current.addEventListener('ready', () => {
        setState('live');
        // what happened while the stream was closed is not in the figures yet
        void queryClient.invalidateQueries({ queryKey: statsKeys.all });
      });
      current.addEventListener('ledger', (event) => {
        const data = JSON.parse((event as MessageEvent<string>).data) as LedgerEvent;
        if (campaignId === null || data.campaignId === campaignId) refetchSoon();
      });
      current.addEventListener('resync', refetchSoon);
      current.onerror = () => {
        if (source === current) down();
      };
    }
    open();
    return () => {
      stopped = true;
      clearTimeout(reopen);
      if (refresh.current !== null) clearTimeout(refresh.current);
      refresh.current = null;
      source?.close();
    };
  }, [campaignId, queryClient]);

  return state;
}
