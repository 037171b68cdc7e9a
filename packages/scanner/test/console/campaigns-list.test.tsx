// The campaigns list: figures per campaign, an empty state that says what to do, filters that
// reach the API, and cursor pages.
import type { CampaignListItem } from '@couponscan/shared/campaigns';
import type { Page } from '@couponscan/shared/common';
import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { server } from '../msw-server.ts';
import { renderApp } from '../render-app.tsx';
import {
  campaignListItem,
  consoleServer,
  recordRequests,
  loadConsoleChunk,
} from './console-fixtures.ts';

vi.setConfig({ testTimeout: 20_000 });

beforeAll(loadConsoleChunk, 60_000);

beforeEach(() => {
  consoleServer();
});

describe('campaigns list', () => {
  it('with no campaign at all, says what a campaign is and offers to create one', async () => {
    renderApp({ path: '/console/campaigns' });
    expect(await screen.findByRole('heading', { name: 'No campaigns yet' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Create your first campaign' })).toHaveAttribute(
      'href',
      '/console/campaigns/new',
    );
  });

  it('shows status, validity, issued and redeemed counts and the redemption rate', async () => {
    server.use(
      http.get('/api/campaigns', () =>
        HttpResponse.json<Page<CampaignListItem>>({
          items: [
            campaignListItem({
              name: 'Spring sale',
              status: 'paused',
              counts: { issued: 1000, redeemed: 125, voided: 0, redemptions: 125 },
              redemptionRate: 0.125,
            }),
          ],
          nextCursor: null,
        }),
      ),
    );
    renderApp({ path: '/console/campaigns' });
    const row = (await screen.findByRole('link', { name: 'Spring sale' })).closest('tr');
    expect(row).not.toBeNull();
    const cells = within(row as HTMLElement);
    expect(cells.getByText('paused')).toBeInTheDocument();
    expect(cells.getByText('1,000')).toBeInTheDocument();
    expect(cells.getByText('125')).toBeInTheDocument();
    expect(cells.getByText('12.5%')).toBeInTheDocument();
    expect(cells.getByText('no end date')).toBeInTheDocument();
  });

  it('the search and the status filter are sent to the API and kept in the URL', async () => {
    const sent = recordRequests('GET', /^\/api\/campaigns$/);
    const { user } = renderApp({ path: '/console/campaigns' });
    await screen.findByRole('heading', { name: 'No campaigns yet' });
    await user.selectOptions(screen.getByLabelText('Status'), 'archived');
    await user.type(screen.getByLabelText('Search by name'), 'winter');
    await waitFor(() => {
      const last = new URL(sent.at(-1)?.url ?? 'http://x/');
      expect(last.searchParams.get('q')).toBe('winter');
      expect(last.searchParams.get('status')).toBe('archived');
    });
    expect(window.location.search).toContain('status=archived');
    expect(await screen.findByRole('heading', { name: 'No campaign matches' })).toBeInTheDocument();
  });

  it('"Show more" asks for the next page with the cursor of the last one', async () => {
    server.use(
      http.get('/api/campaigns', ({ request }) => {
        const cursor = new URL(request.url).searchParams.get('cursor');
        return HttpResponse.json<Page<CampaignListItem>>(
          cursor === null
            ? {
                items: [campaignListItem({ id: crypto.randomUUID(), name: 'First page' })],
                nextCursor: 'page-2',
              }
            : cursor === 'page-2'
              ? {
                  items: [campaignListItem({ id: crypto.randomUUID(), name: 'Second page' })],
                  nextCursor: null,
                }
              : { items: [], nextCursor: null },
        );
      }),
    );
    const { user } = renderApp({ path: '/console/campaigns' });
    await screen.findByRole('link', { name: 'First page' });
    await user.click(screen.getByRole('button', { name: 'Show more campaigns' }));
    expect(await screen.findByRole('link', { name: 'Second page' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'First page' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Show more campaigns' })).toBeNull();
  });
});
