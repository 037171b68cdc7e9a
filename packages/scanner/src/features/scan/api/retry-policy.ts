// How long one redemption request may take and how the device backs off between retries.
// A context so that tests can shorten the waits without touching the behaviour.
import { createContext, use } from 'react';

export interface RetryPolicy {
  /** Abort one request after this long and retry it (same Idempotency-Key). */
  attemptTimeoutMs: number;
  /** Wait before each retry; its length is the number of retries. */
  backoffMs: readonly number[];
  /** A Retry-After longer than this is not waited for in full (staff are waiting too). */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attemptTimeoutMs: 5_000,
  backoffMs: [300, 800, 1_500, 3_000],
  maxRetryAfterMs: 3_000,
};

export const RetryPolicyContext = createContext<RetryPolicy>(DEFAULT_RETRY_POLICY);

export function useRetryPolicy(): RetryPolicy {
  return use(RetryPolicyContext);
}
