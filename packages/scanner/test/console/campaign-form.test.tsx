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

    // the exact instant, before anything is sent
    expect(screen.getByTestId('valid-until-instant')).toHaveTextContent('2026-12-31T23:00:00.000Z');
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
      storeIds: [],
    });
    // saved: the new campaign's own page
    await screen.findByRole('heading', { level: 1, name: 'Winter sale' });
    expect(window.location.pathname).toBe(`/console/campaigns/${created.id}`);
  });

  it('in New York the same day ends at 05:00 UTC on 1 Jan', async () => {
    const { user } = await openForm();
    await user.selectOptions(screen.getByLabelText('Time zone'), 'America/New_York');
    fireEvent.change(screen.getByLabelText('Last day (optional)'), {
      target: { value: '2026-12-31' },
    });
    expect(screen.getByTestId('valid-until-instant')).toHaveTextContent('2027-01-01T05:00:00.000Z');
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
