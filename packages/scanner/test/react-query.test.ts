import { describe, expect, it } from 'vitest';
import { ApiError, TransportError } from '../src/lib/api-client.ts';
import { MAX_QUERY_RETRIES, shouldRetryQuery } from '../src/lib/react-query.ts';

function apiError(status: number, code: 'not_found' | 'internal_error' | 'rate_limited') {
  return new ApiError(status, { type: 'about:blank', title: code, status, code });
}

describe('query retry policy', () => {
  it('a 4xx problem+json answer is final and never retried', () => {
    expect(shouldRetryQuery(0, apiError(404, 'not_found'))).toBe(false);
  });

  it('no answer, a 5xx or a rate limit is retried', () => {
    expect(shouldRetryQuery(0, new TransportError('network'))).toBe(true);
    expect(shouldRetryQuery(0, apiError(500, 'internal_error'))).toBe(true);
    expect(shouldRetryQuery(0, apiError(429, 'rate_limited'))).toBe(true);
  });

  it(`gives up after ${MAX_QUERY_RETRIES} retries`, () => {
    expect(shouldRetryQuery(MAX_QUERY_RETRIES, new TransportError('timeout'))).toBe(false);
  });

  it('a programming error is not retried', () => {
    expect(shouldRetryQuery(0, new TypeError('x is undefined'))).toBe(false);
  });
});
