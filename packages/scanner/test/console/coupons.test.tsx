// A campaign's coupons: the table, and voiding one only after a confirmation with a reason.
import type { Page } from '@couponscan/shared/common';
import type { Coupon, CouponPreview } from '@couponscan/shared/coupons';
import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { newCode, preview } from '../fixtures.ts';
import { server } from '../msw-server.ts';
import { renderApp } from '../render-app.tsx';
import {
  CAMPAIGN_ID,
  consoleServer,
  recordRequests,
  loadConsoleChunk,
} from './console-fixtures.ts';

vi.setConfig({ testTimeout: 20_000 });

beforeAll(loadConsoleChunk, 60_000);

beforeEach(() => {
  consoleServer();
});

describe("a campaign's coupons", () => {
  it('lists codes with status and use, and the status filter reaches the API', async () => {
    const code = newCode();
    const sent = recordRequests('GET', /\/coupons$/);
    const coupon = preview(code).coupon;
    server.use(
      http.get('/api/campaigns/:id/coupons', () =>
        HttpResponse.json<Page<Coupon>>({ items: [coupon], nextCursor: null }),
      ),
    );
    const { user } = renderApp({ path: `/console/campaigns/${CAMPAIGN_ID}/coupons` });
    const link = await screen.findByRole('link', { name: coupon.displayCode });
    expect(within(link.closest('tr') as HTMLElement).getByText('0 of 1')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Download CSV (unused)' })).toHaveAttribute(
      'href',
      `/api/campaigns/${CAMPAIGN_ID}/coupons.csv?status=unused`,
    );
    await user.selectOptions(screen.getByLabelText('Status'), 'redeemed');
    await waitFor(() => {
      expect(new URL(sent.at(-1)?.url ?? 'http://x/').searchParams.get('status')).toBe('redeemed');
    });
  });

  it('the code search says it matches the start of a code, and sends what is typed as q', async () => {
    const sent = recordRequests('GET', /\/coupons$/);
    server.use(
      http.get('/api/campaigns/:id/coupons', () =>
        HttpResponse.json<Page<Coupon>>({ items: [], nextCursor: null }),
      ),
    );
    const { user } = renderApp({ path: `/console/campaigns/${CAMPAIGN_ID}/coupons` });
    const search = await screen.findByLabelText('Search by code');
    expect(search).toHaveAttribute('placeholder', 'Code starts with…');
    await user.type(search, 'ab-c');
    await waitFor(() => {
      expect(new URL(sent.at(-1)?.url ?? 'http://x/').searchParams.get('q')).toBe('ab-c');
    });
  });

  it('voiding asks first, needs a reason, and sends it', async () => {
    const code = newCode();
    const sent = recordRequests('POST', /\/void$/);
    let current: CouponPreview = preview(code);
    server.use(
      http.get('/api/coupons/:code', () => HttpResponse.json<CouponPreview>(current)),
      http.post('/api/coupons/:code/void', async ({ request }) => {
        const { reason } = (await request.json()) as { reason: string };
        current = preview(code, {
          coupon: {
            ...current.coupon,
            status: 'voided',
            voidedAt: new Date().toISOString(),
            voidReason: reason,
          },
        });
        return HttpResponse.json<Coupon>(current.coupon);
      }),
    );
    const { user } = renderApp({ path: `/console/campaigns/${CAMPAIGN_ID}/coupons/${code}` });
    expect(await screen.findByRole('img', { name: /^QR code of/ })).toHaveAttribute(
      'src',
      expect.stringContaining(`/api/coupons/${code}/qr.svg`),
    );
    await user.click(screen.getByRole('button', { name: 'Void coupon' }));
    const dialog = await screen.findByRole('dialog');
    const confirm = within(dialog).getByRole('button', { name: 'Void coupon' });
    expect(confirm).toBeDisabled();
    expect(sent).toHaveLength(0);

    await user.type(within(dialog).getByLabelText('Reason'), 'Printed twice');
    await user.click(confirm);
    await waitFor(() => {
      expect(screen.queryByRole('dialog')).toBeNull();
    });
    expect(await sent[0]?.json()).toEqual({ reason: 'Printed twice' });
    expect(await screen.findByText(/Printed twice/)).toBeInTheDocument();
  });
});
