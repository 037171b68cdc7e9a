// The last redemptions of this device, and undoing one with a reason within the undo window.
import type { Page } from '@couponscan/shared/common';
import { problemType } from '@couponscan/shared/errors';
import type { LedgerEntry, RedemptionSuccess } from '@couponscan/shared/redemptions';
import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { formatTime } from '../src/lib/format.ts';
import { scan } from './camera-helpers.ts';
import { ledgerEntry, newCode, problemResponse, redemptionSuccess } from './fixtures.ts';
import { server } from './msw-server.ts';
import { renderApp, verdictElement } from './render-app.tsx';

describe('undo', () => {
  it('a redemption made here appears in the list and can be undone with a reason', async () => {
    const code = newCode();
    const success = redemptionSuccess(code);
    const reversals: { id: string; reason: string }[] = [];
    server.use(
      http.post('/api/redemptions', () =>
        HttpResponse.json<RedemptionSuccess>(success, { status: 201 }),
      ),
      http.post('/api/redemptions/:id/reversal', async ({ params, request }) => {
        const { reason } = (await request.json()) as { reason: string };
        reversals.push({ id: String(params.id), reason });
        return HttpResponse.json<LedgerEntry>(
          ledgerEntry(code, { kind: 'reversal', reversesId: String(params.id), reason }),
          { status: 201 },
        );
      }),
    );
    const { user } = renderApp({ mode: 'instant' });
    await scan(code);
    await waitFor(() => {
      expect(verdictElement()).toHaveAttribute('data-outcome', 'redeemed');
    });
    await user.click(screen.getByRole('button', { name: 'Scan next' }));

    const list = screen.getByRole('region', { name: 'Last redemptions on this device' });
    await user.click(
      within(list).getByRole('button', {
        name: `Undo redemption of ${success.redemption.displayCode} at ${formatTime(success.redemption.createdAt)}`,
      }),
    );
    await user.click(within(list).getByRole('radio', { name: 'Customer changed their mind' }));
    await user.click(within(list).getByRole('button', { name: 'Undo redemption' }));

    expect(await within(list).findByText('Undone')).toBeInTheDocument();
    expect(reversals).toEqual([
      { id: success.redemption.id, reason: 'Customer changed their mind' },
    ]);
    expect(within(list).queryByRole('button', { name: /^Undo/ })).toBeNull();
  });

  it("lists the server's redemptions and offers undo only within the undo window", async () => {
    const recent = ledgerEntry(newCode(), {
      createdAt: new Date(Date.now() - 2 * 60_000).toISOString(),
    });
    const old = ledgerEntry(newCode(), {
      createdAt: new Date(Date.now() - 30 * 60_000).toISOString(),
    });
    server.use(
      http.get('/api/redemptions', () =>
        HttpResponse.json<Page<LedgerEntry>>({ items: [recent, old], nextCursor: null }),
      ),
    );
    renderApp({ mode: 'instant' });
    const list = await screen.findByRole('region', { name: 'Last redemptions on this device' });
    await within(list).findByText(recent.displayCode);
    expect(within(list).getByText(old.displayCode)).toBeInTheDocument();
    expect(within(list).getAllByRole('button', { name: /^Undo redemption of/ })).toHaveLength(1);
    expect(
      within(list).getByRole('button', {
        name: `Undo redemption of ${recent.displayCode} at ${formatTime(recent.createdAt)}`,
      }),
    ).toBeInTheDocument();
  });

  it('says plainly when the server refuses because the window has passed', async () => {
    const entry = ledgerEntry(newCode(), {
      createdAt: new Date(Date.now() - 60_000).toISOString(),
    });
    server.use(
      http.get('/api/redemptions', () =>
        HttpResponse.json<Page<LedgerEntry>>({ items: [entry], nextCursor: null }),
      ),
      http.post('/api/redemptions/:id/reversal', () =>
        problemResponse({
          type: problemType('undo_window_passed'),
          title: 'Too late',
          status: 403,
          code: 'undo_window_passed',
        }),
      ),
    );
    const { user } = renderApp({ mode: 'instant' });
    const list = await screen.findByRole('region', { name: 'Last redemptions on this device' });
    await user.click(await within(list).findByRole('button', { name: /^Undo redemption of/ }));
    await user.click(within(list).getByRole('button', { name: 'Undo redemption' }));
    expect(await within(list).findByRole('alert')).toHaveTextContent('Too late to undo');
  });
});
