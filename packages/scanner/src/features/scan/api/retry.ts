// Retrying a request whose answer may not have arrived. Only safe for GETs and for requests that
// carry an Idempotency-Key: the server then answers a retry with what it did the first time.
import { ApiError, TransportError } from '../../../lib/api-client.ts';
import type { RetryPolicy } from './retry-policy.ts';

/** Worth another try: no answer, a 5xx, or the same key still being processed. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof TransportError) return true;
  if (!(error instanceof ApiError)) return false;
  return (
    error.code === 'idempotency_request_in_progress' ||
    error.code === 'service_unavailable' ||
    error.code === 'internal_error'
  );
}

export class OfflineError extends Error {
  constructor() {
    super('the device is offline');
    this.name = 'OfflineError';
  }
}

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
      const wait = policy.backoffMs[attempt - 1];
      if (!isRetryable(error) || wait === undefined || signal?.aborted === true) throw error;
      if (!isOnline()) throw new OfflineError();
      await sleep(wait, signal);
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
