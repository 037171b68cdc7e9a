// The dashboard: headline figures with their data-metric, refused scans, and live updates from
// the server-sent event feed with a polling fallback.
import type { StatsOverview } from '@couponscan/shared/stats';
import { act, screen, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { server } from '../msw-server.ts';
import { renderApp } from '../render-app.tsx';
import { consoleServer, overview, loadConsoleChunk } from './console-fixtures.ts';

vi.setConfig({ testTimeout: 20_000 });

/** Stands in for the browser's EventSource: the test plays the server's events. */
class FakeEventSource extends EventTarget {
  static instances: FakeEventSource[] = [];
  onerror: ((event: Event) => void) | null = null;
  readonly url: string;
  closed = false;

  constructor(url: string) {
    super();
    this.url = url;
    FakeEventSource.instances.push(this);
  }

  close() {
    this.closed = true;
  }

  emit(name: string, data: unknown) {
    this.dispatchEvent(new MessageEvent(name, { data: JSON.stringify(data) }));
  }

  fail() {
    this.onerror?.(new Event('error'));
  }
}

function openStream(): FakeEventSource {
  const open = FakeEventSource.instances.filter((source) => !source.closed);
  const last = open.at(-1);
  if (last === undefined) throw new Error('no open stream');
  return last;
}

beforeAll(loadConsoleChunk, 60_000);

beforeEach(() => {
  consoleServer();
  FakeEventSource.instances = [];
  vi.stubGlobal('EventSource', FakeEventSource);
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('dashboard', () => {
  it('shows issued, redeemed and the redemption rate with their data-metric', async () => {
    renderApp({ path: '/console' });
    await screen.findByRole('heading', { level: 1, name: 'Dashboard' });
    await waitFor(() => {
      expect(document.querySelector('[data-metric="issued"]')).toHaveTextContent('1,000');
    });
    expect(document.querySelector('[data-metric="redeemed"]')).toHaveTextContent('250');
    expect(document.querySelector('[data-metric="redemption-rate"]')).toHaveTextContent('25%');
    expect(screen.getByText('Already used')).toBeInTheDocument();
    expect(screen.getByText('Unknown code')).toBeInTheDocument();
  });

  it('a committed redemption announced on the live feed updates the figures without a reload', async () => {
    let redeemed = 250;
    server.use(
      http.get('/api/stats/overview', () =>
        HttpResponse.json<StatsOverview>(
          overview({
            totals: {
              issued: 1000,
              redeemed,
              voided: 0,
              redemptions: redeemed,
              redemptionRate: redeemed / 1000,
            },
          }),
        ),
      ),
    );
    renderApp({ path: '/console' });
    await waitFor(() => {
      expect(document.querySelector('[data-metric="redeemed"]')).toHaveTextContent('250');
    });
    // the stream opens in an effect, which may run after the heading is on screen
    const stream = await waitFor(openStream);
    act(() => {
      stream.emit('ready', { campaignId: null, heartbeatSeconds: 15 });
    });
    expect(await screen.findByText('Live')).toBeInTheDocument();

    redeemed = 251;
    act(() => {
      openStream().emit('ledger', {
        id: crypto.randomUUID(),
        kind: 'redemption',
        couponId: crypto.randomUUID(),
        campaignId: crypto.randomUUID(),
        storeId: crypto.randomUUID(),
        userId: crypto.randomUUID(),
        createdAt: new Date().toISOString(),
      });
    });
    await waitFor(() => {
      expect(document.querySelector('[data-metric="redeemed"]')).toHaveTextContent('251');
    });
  });

  it('when the stream drops, the dashboard says so and falls back to polling', async () => {
    renderApp({ path: '/console' });
    await screen.findByRole('heading', { level: 1, name: 'Dashboard' });
    // the stream opens in an effect, which may run after the heading is on screen
    const stream = await waitFor(openStream);
    act(() => {
      stream.emit('ready', { campaignId: null, heartbeatSeconds: 15 });
    });
    await screen.findByText('Live');
    act(() => {
      openStream().fail();
    });
    expect(
      await screen.findByText('Live feed interrupted: refreshing every 5 seconds'),
    ).toBeInTheDocument();
    expect(document.querySelector('[data-live]')).toHaveAttribute('data-live', 'polling');
  });
});
