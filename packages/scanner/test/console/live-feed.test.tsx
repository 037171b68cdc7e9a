// The live feed's watchdog: the server sends a `ping` event every heartbeat, so a stream that
// stays silent for two heartbeats is treated as dead (polling, then a new stream), while one that
// keeps pinging stays live however quiet the tills are. Time is faked: nothing here waits.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, renderHook } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silenceLimitMs, useLiveFeed } from '../../src/features/console/api/stats.ts';

/** Stands in for the browser's EventSource: the test plays the server's events. */
class FakeEventSource extends EventTarget {
  static instances: FakeEventSource[] = [];
  onerror: ((event: Event) => void) | null = null;
  closed = false;

  constructor(readonly url: string) {
    super();
    FakeEventSource.instances.push(this);
  }

  close() {
    this.closed = true;
  }

  emit(name: string, data: unknown) {
    act(() => {
      this.dispatchEvent(new MessageEvent(name, { data: JSON.stringify(data) }));
    });
  }
}

function latestStream(): FakeEventSource {
  const last = FakeEventSource.instances.at(-1);
  if (last === undefined) throw new Error('no stream opened');
  return last;
}

async function advance(ms: number) {
  await act(() => vi.advanceTimersByTimeAsync(ms));
}

function renderFeed() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const wrapper = ({ children }: { children: ReactNode }) => (
    <QueryClientProvider client={client}>{children}</QueryClientProvider>
  );
  return renderHook(() => useLiveFeed(null), { wrapper });
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeEventSource.instances = [];
  vi.stubGlobal('EventSource', FakeEventSource);
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('useLiveFeed', () => {
  it('stays live while pings keep coming, however long no redemption happens', async () => {
    const { result, unmount } = renderFeed();
    latestStream().emit('ready', { campaignId: null, heartbeatSeconds: 15 });
    expect(result.current).toBe('live');

    // ten heartbeats, each a ping and nothing else
    for (let beat = 0; beat < 10; beat += 1) {
      await advance(15_000);
      latestStream().emit('ping', {});
    }
    expect(result.current).toBe('live');
    expect(FakeEventSource.instances).toHaveLength(1);
    unmount();
  });

  it('a stream silent for two heartbeats (no ping either) falls back to polling and is reopened', async () => {
    const { result, unmount } = renderFeed();
    const first = latestStream();
    first.emit('ready', { campaignId: null, heartbeatSeconds: 15 });
    await advance(15_000);
    first.emit('ping', {});

    // one millisecond short of the limit, counted from the last ping: still live
    await advance(silenceLimitMs(15) - 1);
    expect(result.current).toBe('live');
    expect(first.closed).toBe(false);

    await advance(1);
    expect(result.current).toBe('polling');
    expect(first.closed).toBe(true);

    // a new stream is opened a few seconds later; its `ready` ends the polling
    await advance(5_000);
    expect(FakeEventSource.instances).toHaveLength(2);
    latestStream().emit('ready', { campaignId: null, heartbeatSeconds: 15 });
    expect(result.current).toBe('live');
    unmount();
  });

  it('the limit follows the heartbeat the server announces in `ready`', async () => {
    const { result, unmount } = renderFeed();
    latestStream().emit('ready', { campaignId: null, heartbeatSeconds: 2 });
    await advance(silenceLimitMs(2) - 1);
    expect(result.current).toBe('live');
    await advance(1);
    expect(result.current).toBe('polling');
    unmount();
  });

  it('a stream that opens but never says anything is given up too', async () => {
    const { result, unmount } = renderFeed();
    expect(result.current).toBe('connecting');
    await advance(silenceLimitMs(15));
    expect(result.current).toBe('polling');
    expect(FakeEventSource.instances[0]?.closed).toBe(true);
    unmount();
  });

  it('unmounting closes the stream and leaves no timer behind', async () => {
    const { unmount } = renderFeed();
    latestStream().emit('ready', { campaignId: null, heartbeatSeconds: 15 });
    unmount();
    expect(latestStream().closed).toBe(true);
    await advance(silenceLimitMs(15) * 3);
    expect(FakeEventSource.instances).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
