// Retrying a request whose answer may not have arrived, and the one classification of a failed
// request that both the retry loop and the scan flow use. Retrying is only safe for GETs
// and for requests that carry an Idempotency-Key: the server then answers a retry with what it did
// the first time.
import type { ErrorCode } from '@couponscan/shared/errors';
import { ApiError, TransportError } from '../../../lib/api-client.ts';
import type { RetryPolicy } from './retry-policy.ts';

/** What a failed request means for the person at the till. */
export type RequestFailure =
  /** The device is offline: the request may have been sent before the network went. */
  | { kind: 'offline' }
  /** No answer (timeout, network error, or stopped by the person). */
  | { kind: 'no_answer' }
  /** The server answered "not now" (503 with Retry-After, 5xx, the same key still in progress). */
  | { kind: 'busy' }
  /** The server answered with an error that asking again will not change. */
  | { kind: 'rejected'; code: ErrorCode };

const BUSY_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'idempotency_request_in_progress',
  'service_unavailable',
  // 503 + Retry-After from the database layer: a lock timeout, or PostgreSQL restarting; the
  // transaction rolled back, so the same key may be sent again
  'database_busy',
  'database_unavailable',
  'internal_error',
]);

export function classifyFailure(error: unknown, online = navigator.onLine): RequestFailure {
  if (error instanceof OfflineError) return { kind: 'offline' };
  if (error instanceof ApiError) {
    return BUSY_CODES.has(error.code) ? { kind: 'busy' } : { kind: 'rejected', code: error.code };
  }
  // a TransportError, or an abort (Stop trying, a newer scan): the request may have arrived
  if (!online) return { kind: 'offline' };
  return { kind: 'no_answer' };
}

/** Worth another try under the same Idempotency-Key: no answer, or the server was busy. */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof ApiError) && !(error instanceof TransportError)) return false;
  const { kind } = classifyFailure(error, true);
  return kind === 'no_answer' || kind === 'busy';
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
