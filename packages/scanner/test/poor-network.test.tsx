// Poor networks: every attempt carries one Idempotency-Key kept across retries; timeouts and
// network errors are retried showing "checking…"; offline never pretends to redeem.
import type { RedemptionSuccess } from '@couponscan/shared/redemptions';
import { IDEMPOTENCY_KEY_HEADER } from '@couponscan/shared/redemptions';
import { act, screen, waitFor } from '@testing-library/react';
import { delay, http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { cameraRunning, scan } from './camera-helpers.ts';
import { newCode, problemResponse, redemptionSuccess } from './fixtures.ts';
import { server } from './msw-server.ts';
import { renderApp, verdictElement } from './render-app.tsx';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A server that redeems each Idempotency-Key once and replays the answer, like the backend. */
function redemptionServer(
  script: ('network_error' | 'hang' | 'in_progress' | 'busy' | 'answer')[],
) {
  const keys: string[] = [];
  const stored = new Map<string, RedemptionSuccess>();
  let redemptions = 0;
  server.use(
    http.post('/api/redemptions', async ({ request }) => {
      const key = request.headers.get(IDEMPOTENCY_KEY_HEADER) ?? '';
      keys.push(key);
      const { code } = (await request.json()) as { code: string };
      const step = script[keys.length - 1] ?? 'answer';
      if (step === 'in_progress') {
        return problemResponse({
          type: 'https://couponscan.dev/problems/idempotency-request-in-progress',
          title: 'In progress',
          status: 409,
          code: 'idempotency_request_in_progress',
        });
      }
      if (step === 'busy') {
        // a lock timeout: the transaction rolled back, nothing was redeemed
        return HttpResponse.json(
          {
            type: 'https://couponscan.dev/problems/database-busy',
            title: 'Busy',
            status: 503,
            code: 'database_busy',
          },
          {
            status: 503,
            headers: { 'content-type': 'application/problem+json', 'retry-after': '1' },
          },
        );
      }
      // a request that reached the server redeems even if its answer is lost on the way back
      let answer = stored.get(key);
      if (answer === undefined) {
        answer = redemptionSuccess(code);
        stored.set(key, answer);
        redemptions++;
      }
      if (step === 'network_error') return HttpResponse.error();
      if (step === 'hang') await delay('infinite');
      return HttpResponse.json(answer, { status: 201 });
    }),
  );
  return {
    keys,
    get redemptions() {
      return redemptions;
    },
  };
}

function goOffline() {
  Object.defineProperty(navigator, 'onLine', { value: false, configurable: true });
  window.dispatchEvent(new Event('offline'));
}

describe('retries', () => {
  it('a request that fails and then times out, then succeeds, redeems once with the same Idempotency-Key', async () => {
    const backend = redemptionServer(['network_error', 'hang', 'answer']);
    renderApp({ mode: 'instant' });
    await scan(newCode());

    await screen.findByText('Checking…');
    await waitFor(() => {
      expect(verdictElement()).toHaveAttribute('data-outcome', 'redeemed');
    });
    expect(backend.keys).toHaveLength(3);
    expect(new Set(backend.keys).size).toBe(1);
    expect(backend.keys[0]).toMatch(UUID);
    expect(backend.redemptions).toBe(1);
  });

  it('a request still in progress on the server (409) is asked again with the same key', async () => {
    const backend = redemptionServer(['in_progress', 'answer']);
    renderApp({ mode: 'instant' });
    await scan(newCode());
    await waitFor(() => {
      expect(verdictElement()).toHaveAttribute('data-outcome', 'redeemed');
    });
    expect(backend.keys).toHaveLength(2);
    expect(backend.keys[1]).toBe(backend.keys[0]);
  });

  it('each new attempt gets a new key', async () => {
    const backend = redemptionServer([]);
    const { user } = renderApp({ mode: 'instant' });
    await scan(newCode());
    await user.click(await screen.findByRole('button', { name: 'Scan next' }));
    await scan(newCode());
    await waitFor(() => {
      expect(backend.keys).toHaveLength(2);
    });
    expect(backend.keys[1]).not.toBe(backend.keys[0]);
  });

  it('when every retry fails the outcome is "not confirmed", and Check again reuses the key', async () => {
    const backend = redemptionServer(['hang', 'hang', 'hang', 'hang', 'answer']);
    const { user } = renderApp({ mode: 'instant' });
    await scan(newCode());

    expect(await screen.findByText('Not confirmed')).toBeInTheDocument();
    expect(screen.getByText('Do not give the discount yet.')).toBeInTheDocument();
    expect(verdictElement()).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Check again' }));

    await waitFor(() => {
      expect(verdictElement()).toHaveAttribute('data-outcome', 'redeemed');
    });
    expect(backend.keys).toHaveLength(5);
    expect(new Set(backend.keys).size).toBe(1);
    expect(backend.redemptions).toBe(1);
  });
});

describe('a busy server (503 with Retry-After)', () => {
  it('is retried under the same key; when it stays busy the screen says try again, and Check again reuses the key', async () => {
    const backend = redemptionServer(['busy', 'busy', 'busy', 'busy', 'answer']);
    const { user } = renderApp({ mode: 'instant' });
    await scan(newCode());

    expect(await screen.findByText('Not confirmed')).toBeInTheDocument();
    expect(screen.getByText(/The server is busy right now/)).toHaveTextContent(/try again/);
    expect(backend.keys).toHaveLength(4);
    await user.click(screen.getByRole('button', { name: 'Check again' }));

    await waitFor(() => {
      expect(verdictElement()).toHaveAttribute('data-outcome', 'redeemed');
    });
    expect(backend.keys).toHaveLength(5);
    expect(new Set(backend.keys).size).toBe(1);
    expect(backend.redemptions).toBe(1);
  });
});

describe('offline', () => {
  it('says so in a banner and does not send or pretend to redeem', async () => {
    const backend = redemptionServer([]);
    renderApp({ mode: 'instant' });
    await cameraRunning();
    act(() => {
      goOffline();
    });
    expect(screen.getByRole('alert')).toHaveTextContent('You are offline.');

    await scan(newCode());
    const message = await screen.findByText('Nothing was redeemed.');
    expect(message.closest('[data-step]')).toHaveAttribute('data-step', 'offline');
    expect(verdictElement()).toBeNull();
    expect(backend.keys).toHaveLength(0);
  });

  it('losing the network during retries ends in "not confirmed", never in a verdict', async () => {
    const backend = redemptionServer(['network_error', 'answer']);
    server.events.on('request:start', ({ request }) => {
      if (request.method === 'POST') goOffline();
    });
    renderApp({ mode: 'instant' });
    await scan(newCode());
    expect(await screen.findByText('Not confirmed')).toBeInTheDocument();
    expect(screen.getByText(/You are offline, so we do not know/)).toBeInTheDocument();
    expect(verdictElement()).toBeNull();
    expect(backend.keys).toHaveLength(1);
  });
});
