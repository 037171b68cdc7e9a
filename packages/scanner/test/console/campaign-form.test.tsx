// Create a campaign: the API's own rules checked inline before sending, the end-of-day rule in
// the campaign's time zone, and the server's answer shown when it refuses anyway.
import type { Campaign, CreateCampaignBody } from '@couponscan/shared/campaigns';
import { problemType } from '@couponscan/shared/errors';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { problemResponse } from '../fixtures.ts';
import { server } from '../msw-server.ts';
import { renderApp } from '../render-app.tsx';
import {
  campaignDetail,
  consoleServer,
  recordRequests,
  loadConsoleChunk,
} from './console-fixtures.ts';

// a form of a dozen fields typed key by key takes a few seconds on a busy two-core machine
vi.setConfig({ testTimeout: 30_000 });

beforeAll(loadConsoleChunk, 60_000);

beforeEach(() => {
  consoleServer();
});

async function openForm() {
  const app = renderApp({ path: '/console/campaigns/new' });
  await screen.findByRole('heading', { level: 1, name: 'New campaign' });
  return app;
}

describe('campaign form', () => {
  it('refuses an empty name and a percentage over 100 next to the fields, and sends nothing', async () => {
    const sent = recordRequests('POST', /^\/api\/campaigns$/);
    const { user } = await openForm();
    const percent = screen.getByLabelText('Percent');
    await user.clear(percent);
    await user.type(percent, '150');
    await user.click(screen.getByRole('button', { name: 'Create campaign' }));

    expect(await screen.findByText('Fill this in.')).toBeInTheDocument();
    expect(screen.getByLabelText('Name')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByText('Enter a percentage above 0 and at most 100.')).toBeInTheDocument();
    expect(sent).toHaveLength(0);
  });

  it('a free item must name the item, as the API requires', async () => {
    const sent = recordRequests('POST', /^\/api\/campaigns$/);
    const { user } = await openForm();
    await user.type(screen.getByLabelText('Name'), 'Free coffee');
    await user.click(screen.getByRole('radio', { name: 'Free item' }));
    await user.click(screen.getByRole('button', { name: 'Create campaign' }));
    expect(
      await screen.findByText('Name the free item (staff read it at the till).'),
    ).toBeInTheDocument();
    expect(sent).toHaveLength(0);
  });

  it('"valid until 31 Dec" in Europe/Berlin ends when 1 Jan starts there, shown and sent as that instant', async () => {
    const sent = recordRequests('POST', /^\/api\/campaigns$/);
    let created = campaignDetail();
    server.use(
      http.post('/api/campaigns', async ({ request }) => {
        const body = (await request.json()) as CreateCampaignBody;
        created = campaignDetail({ name: body.name });
        return HttpResponse.json<Campaign>(created, { status: 201 });
      }),
      http.get('/api/campaigns/:id', () => HttpResponse.json(created)),
    );
    const { user } = await openForm();
    await user.type(screen.getByLabelText('Name'), 'Winter sale');
    await user.selectOptions(screen.getByLabelText('Time zone'), 'Europe/Berlin');
    fireEvent.change(screen.getByLabelText('First day (optional)'), {
      target: { value: '2026-12-01' },
    });
    fireEvent.change(screen.getByLabelText('Last day (optional)'), {
      target: { value: '2026-12-31' },
    });

    // the exact instants, before anything is sent
    expect(screen.getByTestId('valid-from-instant')).toHaveTextContent(
      'Starts 1 Dec 2026, 00:00:00 Europe/Berlin = 2026-11-30T23:00:00Z',
    );
    expect(screen.getByTestId('valid-until-instant')).toHaveTextContent(
      'Ends 31 Dec 2026, 23:59:59 Europe/Berlin = 2026-12-31T22:59:59Z',
    );
    await user.click(screen.getByRole('button', { name: 'Create campaign' }));

    await waitFor(() => {
      expect(sent).toHaveLength(1);
    });
    const body = (await sent[0]?.json()) as CreateCampaignBody;
    expect(body).toMatchObject({
      name: 'Winter sale',
      discount: { type: 'percent', value: 10, currency: null },
      validFrom: '2026-11-30T23:00:00.000Z',
      validUntil: '2026-12-31T23:00:00.000Z',
      timeZone: 'Europe/Berlin',
      storeIds: [],
    });
    // saved: the new campaign's own page
    await screen.findByRole('heading', { level: 1, name: 'Winter sale' });
    expect(window.location.pathname).toBe(`/console/campaigns/${created.id}`);
  });

  it.each([
    [
      'America/New_York',
      '2026-12-31',
      'Ends 31 Dec 2026, 23:59:59 America/New_York = 2027-01-01T04:59:59Z',
    ],
    ['Asia/Tokyo', '2026-12-31', 'Ends 31 Dec 2026, 23:59:59 Asia/Tokyo = 2026-12-31T14:59:59Z'],
    [
      // half an hour off a whole hour, in southern-hemisphere summer time (UTC+10:30)
      'Australia/Adelaide',
      '2026-12-31',
      'Ends 31 Dec 2026, 23:59:59 Australia/Adelaide = 2026-12-31T13:29:59Z',
    ],
    ['UTC', '2026-12-31', 'Ends 31 Dec 2026, 23:59:59 UTC = 2026-12-31T23:59:59Z'],
    // the day DST starts in Berlin (23 hours): it ends at 23:59:59 summer time, UTC+2
    [
      'Europe/Berlin',
      '2026-03-29',
      'Ends 29 Mar 2026, 23:59:59 Europe/Berlin = 2026-03-29T21:59:59Z',
    ],
    // the day DST ends in New York (25 hours): it ends at 23:59:59 standard time, UTC-5
    [
      'America/New_York',
      '2026-11-01',
      'Ends 1 Nov 2026, 23:59:59 America/New_York = 2026-11-02T04:59:59Z',
    ],
  ])('in %s, "valid until %s" ends at that day\'s last second there', async (zone, day, shown) => {
    const { user } = await openForm();
    await user.selectOptions(screen.getByLabelText('Time zone'), zone);
    fireEvent.change(screen.getByLabelText('Last day (optional)'), { target: { value: day } });
    expect(screen.getByTestId('valid-until-instant')).toHaveTextContent(shown);
  });

  it("the time zone defaults to the browser's own", async () => {
    const before = process.env.TZ;
    process.env.TZ = 'Pacific/Auckland';
    try {
      await openForm();
      expect(screen.getByLabelText('Time zone')).toHaveValue('Pacific/Auckland');
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });

  it("editing reads the window in the campaign's zone, not the browser's, and a zone change moves the instants", async () => {
    const sent = recordRequests('PATCH', /^\/api\/campaigns\//);
    // 1 Dec to 31 Dec in Tokyo (UTC+9)
    const stored = campaignDetail({
      timeZone: 'Asia/Tokyo',
      validFrom: '2026-11-30T15:00:00.000Z',
      validUntil: '2026-12-31T15:00:00.000Z',
    });
    server.use(
      http.get('/api/campaigns/:id', () => HttpResponse.json(stored)),
      http.patch('/api/campaigns/:id', () => HttpResponse.json(stored)),
    );
    const { user } = renderApp({ path: `/console/campaigns/${stored.id}/edit` });
    await screen.findByRole('heading', { name: 'Edit the campaign' });
    expect(screen.getByLabelText('Time zone')).toHaveValue('Asia/Tokyo');
    expect(screen.getByLabelText('First day (optional)')).toHaveValue('2026-12-01');
    expect(screen.getByLabelText('Last day (optional)')).toHaveValue('2026-12-31');
    expect(screen.getByTestId('valid-until-instant')).toHaveTextContent(
      'Ends 31 Dec 2026, 23:59:59 Asia/Tokyo = 2026-12-31T14:59:59Z',
    );

    await user.selectOptions(screen.getByLabelText('Time zone'), 'Europe/Berlin');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => {
      expect(sent).toHaveLength(1);
    });
    expect(await sent[0]?.json()).toEqual({
      timeZone: 'Europe/Berlin',
      validFrom: '2026-11-30T23:00:00.000Z',
      validUntil: '2026-12-31T23:00:00.000Z',
    });
  });

  it('a last day before the first day is refused before sending', async () => {
    const sent = recordRequests('POST', /^\/api\/campaigns$/);
    const { user } = await openForm();
    await user.type(screen.getByLabelText('Name'), 'Backwards');
    fireEvent.change(screen.getByLabelText('First day (optional)'), {
      target: { value: '2026-12-10' },
    });
    fireEvent.change(screen.getByLabelText('Last day (optional)'), {
      target: { value: '2026-12-01' },
    });
    await user.click(screen.getByRole('button', { name: 'Create campaign' }));
    expect(
      await screen.findByText('The last day cannot be before the first day.'),
    ).toBeInTheDocument();
    expect(sent).toHaveLength(0);
  });

  it('an amount with three decimals is refused like the API refuses it', async () => {
    const sent = recordRequests('POST', /^\/api\/campaigns$/);
    const { user } = await openForm();
    await user.type(screen.getByLabelText('Name'), 'Five off');
    await user.click(screen.getByRole('radio', { name: 'Amount off' }));
    const amount = screen.getByLabelText('Amount');
    await user.clear(amount);
    await user.type(amount, '5.125');
    await user.click(screen.getByRole('button', { name: 'Create campaign' }));
    expect(await screen.findByText('At most two decimals.')).toBeInTheDocument();
    expect(sent).toHaveLength(0);
  });

  it('when the server refuses anyway, its detail is shown and the form stays', async () => {
    server.use(
      http.post('/api/campaigns', () =>
        problemResponse({
          type: problemType('validation_failed'),
          title: 'Invalid request',
          status: 422,
          code: 'validation_failed',
          detail: '/body/storeIds/0 names no store (x)',
          errors: [{ pointer: '/body/storeIds/0', message: 'names no store (x)' }],
        }),
      ),
    );
    const { user } = await openForm();
    await user.type(screen.getByLabelText('Name'), 'Spring');
    await user.click(screen.getByRole('button', { name: 'Create campaign' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('/body/storeIds/0 names no store (x)');
    expect(screen.getByRole('heading', { level: 1, name: 'New campaign' })).toBeInTheDocument();
  });
});

describe('campaign page', () => {
  it("shows the window's days in the campaign's zone with the exact instants", async () => {
    const stored = campaignDetail({
      timeZone: 'Asia/Tokyo',
      validFrom: '2026-11-30T15:00:00.000Z',
      validUntil: '2026-12-31T15:00:00.000Z',
    });
    server.use(http.get('/api/campaigns/:id', () => HttpResponse.json(stored)));
    renderApp({ path: `/console/campaigns/${stored.id}` });
    await screen.findByRole('heading', { level: 1, name: stored.name });
    const validity = screen.getByTestId('campaign-validity');
    expect(validity).toHaveTextContent('days in Asia/Tokyo');
    expect(validity).toHaveTextContent(
      'Starts 1 Dec 2026, 00:00:00 Asia/Tokyo = 2026-11-30T15:00:00Z',
    );
    expect(validity).toHaveTextContent(
      'Ends 31 Dec 2026, 23:59:59 Asia/Tokyo = 2026-12-31T14:59:59Z',
    );
  });
});
