// The dashboard's figures (aggregated by the server), suspicious activity, and the live feed: a
// server-sent event stream of committed ledger rows. While the stream is down, the figures are
// polled instead; when it is back, polling stops.
import {
  STATS_POLL_SECONDS,
  STREAM_HEARTBEAT_SECONDS,
  type LedgerEvent,
  type StatsOverview,
  type StreamReady,
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
 * How long a stream may stay silent before it counts as dead: two heartbeats and a little slack
 * for a slow network. The server sends a `ping` event every heartbeat, so silence this long means
 * a connection that died without an `error` (a proxy or a phone's network that went quiet).
 */
export function silenceLimitMs(heartbeatSeconds: number): number {
  return heartbeatSeconds * 2_000 + 2_000;
}

/**
 * Listens to /api/stats/stream and refreshes the figures on every committed redemption or
 * reversal. While the stream is down (an `error`, or no event at all, `ping` included, for two
 * heartbeats) the figures are polled and the stream is opened again; once it is back, it
 * refetches once and polling stops.
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
    let silence: ReturnType<typeof setTimeout> | undefined;
    let heartbeatSeconds = STREAM_HEARTBEAT_SECONDS;
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
      clearTimeout(silence);
      source?.close();
      source = null;
      clearTimeout(reopen);
      reopen = setTimeout(open, REOPEN_MS);
    };
    /** Every event proves the stream alive; none for two heartbeats, and it is given up. */
    const heard = (current: EventSource) => {
      clearTimeout(silence);
      silence = setTimeout(() => {
        if (source === current) down();
      }, silenceLimitMs(heartbeatSeconds));
    };
    function open() {
      if (stopped) return;
      const current = new EventSource(url, { withCredentials: true });
      source = current;
      heard(current);
      current.addEventListener('ready', (event) => {
        const ready = JSON.parse((event as MessageEvent<string>).data) as Partial<StreamReady>;
        if (typeof ready.heartbeatSeconds === 'number' && ready.heartbeatSeconds > 0)
          heartbeatSeconds = ready.heartbeatSeconds;
        heard(current);
        setState('live');
        // what happened while the stream was closed is not in the figures yet
        void queryClient.invalidateQueries({ queryKey: statsKeys.all });
      });
      current.addEventListener('ledger', (event) => {
        heard(current);
        const data = JSON.parse((event as MessageEvent<string>).data) as LedgerEvent;
        if (campaignId === null || data.campaignId === campaignId) refetchSoon();
      });
      current.addEventListener('resync', () => {
        heard(current);
        refetchSoon();
      });
      current.addEventListener('ping', () => {
        heard(current);
      });
      current.onerror = () => {
        if (source === current) down();
      };
    }
    open();
    return () => {
      stopped = true;
      clearTimeout(reopen);
      clearTimeout(silence);
      if (refresh.current !== null) clearTimeout(refresh.current);
      refresh.current = null;
      source?.close();
    };
  }, [campaignId, queryClient]);

  return state;
}
