// The one classification of a failed request, used by the scan flow, its retry loop and the
// retries of TanStack Query reads (react-query.ts): what the failure means for the person using
// the app, and whether asking again can change it.
import type { ErrorCode } from '@couponscan/shared/errors';
import { ApiError, TransportError } from './api-client.ts';

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
    return BUSY_CODES.has(error.code) || error.status >= 500
      ? { kind: 'busy' }
      : { kind: 'rejected', code: error.code };
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
