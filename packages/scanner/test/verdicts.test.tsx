// Every verdict, as staff see it and as a screen reader hears it.
import { formatCouponCode } from '@couponscan/shared/code';
import type { RedemptionRefusal, RedemptionSuccess } from '@couponscan/shared/redemptions';
import { screen, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { scan } from './camera-helpers.ts';
import {
  earlierRedemption,
  newCode,
  problemResponse,
  redemptionSuccess,
  refusal,
} from './fixtures.ts';
import { server } from './msw-server.ts';
import { renderApp, verdictElement } from './render-app.tsx';

async function verdict(): Promise<HTMLElement> {
  return waitFor(() => {
    const element = verdictElement();
    expect(element).not.toBeNull();
    return element as HTMLElement;
  });
}

describe('verdicts (instant mode)', () => {
  it.each([
    ['expired', { validUntil: '2026-03-01T18:00:00.000Z' }, /Ended/, '2026-03-01T18:00:00.000Z'],
    [
      'not_yet_valid',
      { validFrom: '2031-05-01T08:00:00.000Z' },
      /Starts/,
      '2031-05-01T08:00:00.000Z',
    ],
  ] as const)('%s says when the offer ended or starts', async (outcome, window, words, at) => {
    const code = newCode();
    server.use(
      http.post('/api/redemptions', () =>
        problemResponse({ ...refusal(outcome, code), ...window }),
      ),
    );
    renderApp({ mode: 'instant' });
    await scan(code);

    const element = await verdict();
    expect(element).toHaveTextContent(words);
    expect(element.querySelector('time')).toHaveAttribute('dateTime', at);
  });

  it('a redeemed coupon shows REDEEMED in green with the discount, announced to screen readers', async () => {
    const code = newCode();
    server.use(
      http.post('/api/redemptions', () =>
        HttpResponse.json<RedemptionSuccess>(redemptionSuccess(code), { status: 201 }),
      ),
    );
    renderApp({ mode: 'instant' });
    await scan(code);

    const element = await verdict();
    expect(element).toHaveAttribute('data-outcome', 'redeemed');
    expect(element).toHaveAttribute('role', 'status');
    expect(element).toHaveAttribute('aria-live', 'assertive');
    expect(element).toHaveTextContent(/redeemed/i);
    expect(element).toHaveTextContent('10% off');
    expect(element.closest('[data-tone]')).toHaveAttribute('data-tone', 'success');
    // focus moves in the same commit as the verdict (a layout effect), so no race with a timer
    expect(screen.getByRole('button', { name: 'Scan next' })).toHaveFocus();
  });

  it('an already redeemed coupon shows ALREADY USED in red with when, in which store and by whom', async () => {
    const code = newCode();
    const at = new Date(Date.now() - 5 * 60_000).toISOString();
    server.use(
      http.post('/api/redemptions', () =>
        problemResponse(
          refusal('already_redeemed', code, { earlierRedemptions: [earlierRedemption(at)] }),
        ),
      ),
    );
    renderApp({ mode: 'instant' });
    await scan(code);

    const element = await verdict();
    expect(element).toHaveAttribute('data-outcome', 'already_redeemed');
    expect(element).toHaveTextContent(/already used/i);
    expect(element).toHaveTextContent('5 minutes ago');
    expect(element).toHaveTextContent('Harbour Street');
    expect(element).toHaveTextContent('Alex Till');
    expect(element).toHaveTextContent('Do not give the discount.');
    expect(element.querySelector('time')).toHaveAttribute('dateTime', at);
    expect(element.closest('[data-tone]')).toHaveAttribute('data-tone', 'refused');
  });

  it.each([
    ['voided', /cancelled/i, /cancelled by the shop/],
    ['expired', /expired/i, /has ended/],
    ['not_yet_valid', /not valid yet/i, /has not started yet/],
    ['campaign_paused', /offer paused/i, /paused this offer/],
    ['wrong_store', /not for this store/i, /cannot be used in this store/],
    ['not_found', /unknown code/i, /No coupon has this code/],
    ['invalid_code', /not a coupon code/i, /not a valid coupon code/],
  ] as const)('%s is an amber verdict in plain words', async (outcome, headline, words) => {
    const code = newCode();
    server.use(
      http.post('/api/redemptions', () =>
        problemResponse(refusal(outcome, code) as RedemptionRefusal & { status: number }),
      ),
    );
    renderApp({ mode: 'instant' });
    await scan(code);

    const element = await verdict();
    expect(element).toHaveAttribute('data-outcome', outcome);
    expect(element).toHaveTextContent(headline);
    expect(element).toHaveTextContent(words);
    expect(element).toHaveTextContent('Do not give the discount.');
    expect(element).toHaveTextContent(formatCouponCode(code));
    expect(element.closest('[data-tone]')).toHaveAttribute('data-tone', 'warning');
  });
});

describe('verdicts that name more', () => {
  it('"Not for this store" names the stores where the coupon is valid', async () => {
    const code = newCode();
    server.use(
      http.post('/api/redemptions', () =>
        problemResponse(
          refusal('wrong_store', code, {
            validStoreNames: ['Harbour Street', 'Old Town'],
          }) as RedemptionRefusal & { status: number },
        ),
      ),
    );
    renderApp({ mode: 'instant' });
    await scan(code);

    const element = await verdict();
    expect(element).toHaveAttribute('data-outcome', 'wrong_store');
    expect(element).toHaveTextContent('Valid only at Harbour Street and Old Town.');
  });
});
