// Server state with TanStack Query: one QueryClient per app with the project's defaults.
// Reads retry only what another try can fix (no answer, a 5xx, a rate limit); a 4xx problem+json
// is the server's considered answer and is shown at once. Writes never retry on their own: a
// mutation that must be retried carries its own Idempotency-Key and says so explicitly.
import { QueryClient, type DefaultOptions } from '@tanstack/react-query';
import { ApiError } from './api-client.ts';
import { isRetryable } from './request-failure.ts';

/** Retries after the first attempt, for reads that failed in a way worth trying again. */
export const MAX_QUERY_RETRIES = 2;

/**
 * Whether a failed read is worth another try: what request-failure.ts calls retryable (no answer,
 * the server busy), and for reads also a rate limit; the API's other 4xx answers are final.
 */
export function shouldRetryQuery(failureCount: number, error: unknown): boolean {
  if (failureCount >= MAX_QUERY_RETRIES) return false;
  return isRetryable(error) || (error instanceof ApiError && error.code === 'rate_limited');
}

/** 0.5 s, 1 s, 2 s … capped at 8 s. */
export function queryRetryDelay(failureCount: number): number {
  return Math.min(500 * 2 ** failureCount, 8_000);
}

export const queryDefaults: DefaultOptions = {
  queries: {
    retry: shouldRetryQuery,
    retryDelay: queryRetryDelay,
    // lists and figures are fresh for a short while: moving between screens does not refetch
    staleTime: 15_000,
    gcTime: 5 * 60_000,
    // a phone on a flaky network refocuses often; the console's live figures have their own feed
    refetchOnWindowFocus: false,
    refetchOnReconnect: true,
  },
  mutations: { retry: false },
};

export function createQueryClient(): QueryClient {
  return new QueryClient({ defaultOptions: queryDefaults });
}
