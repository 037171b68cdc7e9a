// API answers for the console's component tests, typed with the shared contract.
import type { SessionResponse } from '@couponscan/shared/auth';
import type { Batch } from '@couponscan/shared/batches';
import type { CampaignDetail, CampaignListItem } from '@couponscan/shared/campaigns';
import type { Page } from '@couponscan/shared/common';
import type { Store } from '@couponscan/shared/stores';
import type { StatsOverview, SuspiciousActivity } from '@couponscan/shared/stats';
import { http, HttpResponse } from 'msw';
import { CAMPAIGN_ID, session, STORE_ID } from '../fixtures.ts';
import { server } from '../msw-server.ts';

export { CAMPAIGN_ID, STORE_ID };

export function campaignDetail(overrides: Partial<CampaignDetail> = {}): CampaignDetail {
  return {
    id: CAMPAIGN_ID,
    name: 'Spring sale',
    discount: { type: 'percent', value: 10, currency: null, description: '' },
    maxRedemptionsPerCoupon: 1,
    validFrom: null,
    validUntil: null,
    timeZone: 'UTC',
    storeIds: [],
    status: 'active',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    counts: { issued: 0, redeemed: 0, voided: 0, redemptions: 0 },
    ...overrides,
  };
}

export function campaignListItem(overrides: Partial<CampaignListItem> = {}): CampaignListItem {
  return { ...campaignDetail(), redemptionRate: null, ...overrides };
}

export const demoStore: Store = {
  id: STORE_ID,
  code: 'DEMO',
  name: 'Demo Store',
  timeZone: 'Europe/Berlin',
  createdAt: '2026-01-01T00:00:00.000Z',
};

export function batch(overrides: Partial<Batch> = {}): Batch {
  return {
    id: crypto.randomUUID(),
    campaignId: CAMPAIGN_ID,
    source: 'generated',
    count: 100,
    prefix: null,
    status: 'succeeded',
    generated: 100,
    error: null,
    createdAt: '2026-11-28T10:00:00.000Z',
    startedAt: '2026-11-28T10:00:00.000Z',
    finishedAt: '2026-11-28T10:00:01.000Z',
    ...overrides,
  };
}

export function overview(overrides: Partial<StatsOverview> = {}): StatsOverview {
  return {
    campaignId: null,
    tz: 'UTC',
    from: '2026-11-01',
    to: '2026-11-03',
    generatedAt: '2026-11-03T12:00:00.000Z',
    totals: { issued: 1000, redeemed: 250, voided: 3, redemptions: 260, redemptionRate: 0.25 },
    perDay: [
      { date: '2026-11-01', redemptions: 100, reversals: 0 },
      { date: '2026-11-02', redemptions: 60, reversals: 1 },
      { date: '2026-11-03', redemptions: 100, reversals: 0 },
    ],
    perStore: [{ storeId: STORE_ID, storeCode: 'DEMO', storeName: 'Demo Store', redemptions: 259 }],
    refusals: [
      { outcome: 'already_redeemed', count: 7 },
      { outcome: 'not_found', count: 2 },
    ],
    latest: [],
    ...overrides,
  };
}

export const quietActivity: SuspiciousActivity = {
  since: '2026-11-02T12:00:00.000Z',
  until: '2026-11-03T12:00:00.000Z',
  burstMinutes: 10,
  minFailures: 5,
  reuseMinutes: 60,
  failedScanBursts: [],
  crossStoreReuse: [],
};

/** A marketer signed in, one store, no campaigns, quiet figures. Tests override what they use. */
export function consoleServer(role: 'marketer' | 'admin' = 'marketer') {
  server.use(
    http.get('/api/auth/me', () => HttpResponse.json<SessionResponse>(session(role))),
    http.get('/api/stores', () =>
      HttpResponse.json<Page<Store>>({ items: [demoStore], nextCursor: null }),
    ),
    http.get('/api/campaigns', () =>
      HttpResponse.json<Page<CampaignListItem>>({ items: [], nextCursor: null }),
    ),
    http.get('/api/campaigns/:id', () => HttpResponse.json<CampaignDetail>(campaignDetail())),
    http.get('/api/campaigns/:id/batches', () => HttpResponse.json({ items: [] as Batch[] })),
    http.get('/api/stats/overview', () => HttpResponse.json<StatsOverview>(overview())),
    http.get('/api/stats/suspicious', () => HttpResponse.json<SuspiciousActivity>(quietActivity)),
  );
}

/** The requests the app sent to `method path`, in order (clones, so their bodies can be read). */
export function recordRequests(method: string, path: RegExp): Request[] {
  const requests: Request[] = [];
  server.events.on('request:start', ({ request }) => {
    if (request.method === method && path.test(new URL(request.url).pathname)) {
      requests.push(request.clone());
    }
  });
  return requests;
}

/**
 * Loads the lazily imported console once before a file's tests, so that the first test does not
 * spend its wait on transforming the chunk.
 */
export async function loadConsoleChunk(): Promise<void> {
  await import('../../src/features/console/console-page.tsx');
}
