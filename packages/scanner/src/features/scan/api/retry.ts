// Retrying a request whose answer may not have arrived, as lib/request-failure.ts classifies it.
// Retrying is only safe for GETs and for requests that carry an Idempotency-Key: the server then
// answers a retry with what it did the first time.
import { ApiError } from '../../../lib/api-client.ts';
import { isRetryable, OfflineError } from '../../../lib/request-failure.ts';
import type { RetryPolicy } from './retry-policy.ts';

export interface RetryOptions {
  policy: RetryPolicy;
  signal?: AbortSignal;
  /** Before each retry, with the number of the attempt about to start (2, 3, …). */
  onRetry?: (attempt: number) => void;
  isOnline?: () => boolean;
}

export async function withRetries<T>(
  send: (timeoutMs: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const { policy, signal, onRetry, isOnline = () => navigator.onLine } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await send(policy.attemptTimeoutMs);
    } catch (error) {
      const backoff = policy.backoffMs[attempt - 1];
      if (!isRetryable(error) || backoff === undefined || signal?.aborted === true) throw error;
      if (!isOnline()) throw new OfflineError();
      // a server that says when to come back (503 + Retry-After) is asked no sooner, within reason
      const asked = error instanceof ApiError ? (error.retryAfterMs ?? 0) : 0;
      await sleep(Math.max(backoff, Math.min(asked, policy.maxRetryAfterMs)), signal);
      if (!isOnline()) throw new OfflineError();
      onRetry?.(attempt + 1);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      reject(
        signal?.reason instanceof Error ? signal.reason : new DOMException('aborted', 'AbortError'),
      );
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', done);
      resolve();
    }, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
