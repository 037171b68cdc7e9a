// Typing a code: with or without dashes, any case; a typo is caught before any request.
import { formatCouponCode } from '@couponscan/shared/code';
import type { RedemptionSuccess } from '@couponscan/shared/redemptions';
import { screen, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { newCode, redemptionSuccess } from './fixtures.ts';
import { server } from './msw-server.ts';
import { recentListLoaded, renderApp, verdictElement } from './render-app.tsx';

function recordRedemptions() {
  const sent: string[] = [];
  server.use(
    http.post('/api/redemptions', async ({ request }) => {
      const { code } = (await request.json()) as { code: string };
      sent.push(code);
      return HttpResponse.json<RedemptionSuccess>(redemptionSuccess(code), { status: 201 });
    }),
  );
  return sent;
}

// Requests about a code (preview or redeem). The recent-redemptions list loads when the scanner
// opens (the test waits for that first) and is not caused by typing, so it is not counted either.
function countCodeRequests() {
  const requests: string[] = [];
  server.events.on('request:start', ({ request }) => {
    const line = `${request.method} ${new URL(request.url).pathname}`;
    if (line !== 'GET /api/redemptions') requests.push(line);
  });
  return requests;
}

describe('manual entry', () => {
  it.each([
    ['with dashes, in lower case', (code: string) => formatCouponCode(code).toLowerCase()],
    ['without dashes', (code: string) => code],
    [
      'with spaces and mixed case',
      (code: string) => ` ${formatCouponCode(code).replaceAll('-', ' ')} `,
    ],
  ])('accepts a code typed %s and sends it normalised', async (_, typed) => {
    const sent = recordRedemptions();
    const code = newCode();
    const { user } = renderApp({ mode: 'instant' });
    await user.type(await screen.findByLabelText('Or type the code'), typed(code));
    await user.click(screen.getByRole('button', { name: 'Check' }));

    await waitFor(() => {
      expect(verdictElement()).toHaveAttribute('data-outcome', 'redeemed');
    });
    expect(sent).toEqual([code]);
  });

  it('rejects a wrong check character locally, without any request', async () => {
    const code = newCode();
    const typo = code.slice(0, -1) + (code.endsWith('7') ? '8' : '7');
    const { user } = renderApp({ mode: 'instant' });
    const field = await screen.findByLabelText('Or type the code');
    await recentListLoaded();
    const requests = countCodeRequests();
    await user.type(field, formatCouponCode(typo));
    await user.click(screen.getByRole('button', { name: 'Check' }));

    expect(await screen.findByRole('alert')).toHaveTextContent(/typo/);
    expect(field).toHaveAttribute('aria-invalid', 'true');
    expect(requests).toEqual([]);
    expect(verdictElement()).toBeNull();
  });

  it('in confirm mode a typed code is previewed before anything is redeemed', async () => {
    const sent = recordRedemptions();
    const previewed: string[] = [];
    server.use(
      http.get('/api/coupons/:code', ({ params }) => {
        previewed.push(String(params.code));
        return HttpResponse.json(
          {
            type: 'https://couponscan.dev/problems/not-found',
            title: 'Unknown',
            status: 404,
            code: 'not_found',
          },
          { status: 404, headers: { 'content-type': 'application/problem+json' } },
        );
      }),
    );
    const code = newCode();
    const { user } = renderApp({ mode: 'confirm' });
    await user.type(await screen.findByLabelText('Or type the code'), code.toLowerCase());
    await user.keyboard('{Enter}');

    await waitFor(() => {
      expect(verdictElement()).toHaveAttribute('data-outcome', 'not_found');
    });
    expect(previewed).toEqual([code]);
    expect(sent).toEqual([]);
  });
});
