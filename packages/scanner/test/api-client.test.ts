// The one fetch wrapper: problem+json becomes an ApiError with the shared code.
import { problemType } from '@couponscan/shared/errors';
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { ApiError, apiRequest, onUnauthenticated, TransportError } from '../src/lib/api-client.ts';
import { problemResponse, unauthenticated } from './fixtures.ts';
import { server } from './msw-server.ts';

describe('apiRequest', () => {
  it('turns a problem+json answer into an ApiError carrying the shared code and extensions', async () => {
    server.use(
      http.get('/api/thing', () =>
        problemResponse({
          type: problemType('wrong_store'),
          title: 'Not here',
          status: 409,
          code: 'wrong_store',
          scanId: 'abc',
        }),
      ),
    );
    const error: unknown = await apiRequest('/api/thing').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, code: 'wrong_store', problem: { scanId: 'abc' } });
  });

  it('a proxy error page without problem+json becomes service_unavailable', async () => {
    server.use(
      http.get('/api/thing', () => new HttpResponse('<h1>Bad gateway</h1>', { status: 502 })),
    );
    await expect(apiRequest('/api/thing')).rejects.toMatchObject({ code: 'service_unavailable' });
  });

  it('no answer is a TransportError: network or timeout', async () => {
    server.use(http.get('/api/down', () => HttpResponse.error()));
    await expect(apiRequest('/api/down')).rejects.toMatchObject({ reason: 'network' });
    server.use(http.get('/api/slow', () => new Promise<never>(() => undefined)));
    const error: unknown = await apiRequest('/api/slow', { timeoutMs: 30 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ reason: 'timeout' });
  });

  it('sends JSON with the session cookie and tells listeners when the session is gone', async () => {
    let seen: { type: string | null; body: unknown } | null = null;
    server.use(
      http.post('/api/echo', async ({ request }) => {
        seen = { type: request.headers.get('content-type'), body: await request.json() };
        return unauthenticated();
      }),
    );
    const listener = vi.fn();
    const stop = onUnauthenticated(listener);
    await expect(apiRequest('/api/echo', { method: 'POST', body: { a: 1 } })).rejects.toMatchObject(
      {
        code: 'unauthenticated',
      },
    );
    stop();
    expect(seen).toEqual({ type: 'application/json', body: { a: 1 } });
    expect(listener).toHaveBeenCalledOnce();
  });
});
