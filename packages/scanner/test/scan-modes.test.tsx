// Confirm mode (the default) shows the coupon before anything is redeemed; instant mode redeems
// on scan. The camera never sends a misread, nor the same code again while its verdict is shown.
import type { CouponPreview } from '@couponscan/shared/coupons';
import type { RedemptionSuccess } from '@couponscan/shared/redemptions';
import { act, screen, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { cameraRunning, scan } from './camera-helpers.ts';
import { fakeCamera } from './fake-camera.ts';
import { earlierRedemption, newCode, preview, redemptionSuccess } from './fixtures.ts';
import { server } from './msw-server.ts';
import { renderApp, verdictElement } from './render-app.tsx';

function countRequests() {
  const counts = { preview: 0, redeem: 0 };
  server.events.on('request:start', ({ request }) => {
    const path = new URL(request.url).pathname;
    if (request.method === 'GET' && path.startsWith('/api/coupons/')) counts.preview++;
    if (request.method === 'POST' && path === '/api/redemptions') counts.redeem++;
  });
  return counts;
}

/** The Redeem button is there (disabled) while the preview loads; enabled once it has arrived. */
async function redeemButtonReady(): Promise<HTMLElement> {
  return waitFor(() => {
    const button = screen.getByRole('button', { name: 'Redeem' });
    expect(button).toBeEnabled();
    return button;
  });
}

function answerRedemptions() {
  server.use(
    http.post('/api/redemptions', async ({ request }) => {
      const { code } = (await request.json()) as { code: string };
      return HttpResponse.json<RedemptionSuccess>(redemptionSuccess(code), { status: 201 });
    }),
  );
}

describe('confirm mode', () => {
  it('shows the discount and validity first and redeems only when Redeem is pressed', async () => {
    const code = newCode();
    const counts = countRequests();
    server.use(
      http.get('/api/coupons/:code', ({ params }) =>
        HttpResponse.json<CouponPreview>(preview(String(params.code))),
      ),
    );
    answerRedemptions();
    const { user } = renderApp({ mode: 'confirm' });
    await scan(code);

    const redeem = await redeemButtonReady();
    expect(screen.getByText('10% off')).toBeInTheDocument();
    expect(screen.getByText(/Valid until/)).toBeInTheDocument();
    expect(counts).toEqual({ preview: 1, redeem: 0 });

    await user.click(redeem);
    await waitFor(() => {
      expect(verdictElement()).toHaveAttribute('data-outcome', 'redeemed');
    });
    expect(counts).toEqual({ preview: 1, redeem: 1 });
  });

  it('a coupon the preview calls not redeemable gets its verdict at once, with no Redeem button', async () => {
    const code = newCode();
    const counts = countRequests();
    const at = new Date(Date.now() - 2 * 3600_000).toISOString();
    server.use(
      http.get('/api/coupons/:code', ({ params }) =>
        HttpResponse.json<CouponPreview>(
          preview(String(params.code), {
            redeemable: false,
            reason: 'already_redeemed',
            redemptionsLeft: 0,
            redemptions: [earlierRedemption(at)],
          }),
        ),
      ),
    );
    renderApp({ mode: 'confirm' });
    await scan(code);

    await waitFor(() => {
      expect(verdictElement()).toHaveAttribute('data-outcome', 'already_redeemed');
    });
    expect(verdictElement()).toHaveTextContent('2 hours ago');
    expect(verdictElement()).toHaveTextContent('Harbour Street');
    expect(screen.queryByRole('button', { name: 'Redeem' })).toBeNull();
    expect(counts.redeem).toBe(0);
  });

  it('Cancel goes back to scanning without redeeming', async () => {
    const counts = countRequests();
    server.use(
      http.get('/api/coupons/:code', ({ params }) =>
        HttpResponse.json<CouponPreview>(preview(String(params.code))),
      ),
    );
    const { user } = renderApp({ mode: 'confirm' });
    await scan(newCode());
    await redeemButtonReady();
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('button', { name: 'Redeem' })).toBeNull();
    expect(counts.redeem).toBe(0);
  });
});

describe('instant mode', () => {
  it('redeems on scan without asking for a preview', async () => {
    const counts = countRequests();
    answerRedemptions();
    renderApp({ mode: 'instant' });
    await scan(newCode());
    await waitFor(() => {
      expect(verdictElement()).toHaveAttribute('data-outcome', 'redeemed');
    });
    expect(counts).toEqual({ preview: 0, redeem: 1 });
  });

  it('the mode is chosen per device in settings and remembered', async () => {
    const { user, unmount } = renderApp({ mode: 'confirm' });
    await user.click(await screen.findByRole('radio', { name: /Redeem instantly/ }));
    expect(JSON.parse(localStorage.getItem('couponscan.scanner.settings') ?? '{}')).toMatchObject({
      mode: 'instant',
    });
    unmount();
  });
});

describe('the camera', () => {
  it('ignores a misread (bad check character) silently and keeps scanning', async () => {
    const counts = countRequests();
    answerRedemptions();
    renderApp({ mode: 'instant' });
    const code = newCode();
    const misread = code.slice(0, -1) + (code.endsWith('0') ? '1' : '0');
    await scan(misread);
    await scan('not a coupon!');
    expect(verdictElement()).toBeNull();
    expect(counts.redeem).toBe(0);

    await scan(code);
    await waitFor(() => {
      expect(verdictElement()).toHaveAttribute('data-outcome', 'redeemed');
    });
  });

  it('accepts a URL that ends in the code', async () => {
    const code = newCode();
    let sent = '';
    server.use(
      http.post('/api/redemptions', async ({ request }) => {
        sent = ((await request.json()) as { code: string }).code;
        return HttpResponse.json<RedemptionSuccess>(redemptionSuccess(code), { status: 201 });
      }),
    );
    renderApp({ mode: 'instant' });
    await scan(`https://coupons.example.com/c/${code}`);
    await waitFor(() => {
      expect(verdictElement()).toHaveAttribute('data-outcome', 'redeemed');
    });
    expect(sent).toBe(code);
  });

  it('does not send the same code again while its verdict is on screen', async () => {
    const counts = countRequests();
    answerRedemptions();
    renderApp({ mode: 'instant' });
    const code = newCode();
    await scan(code);
    await waitFor(() => {
      expect(verdictElement()).toHaveAttribute('data-outcome', 'redeemed');
    });
    for (let frame = 0; frame < 10; frame++) {
      act(() => {
        fakeCamera.show(code);
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(counts.redeem).toBe(1);
  });

  it('survives StrictMode and route changes: one camera at a time, released on unmount', async () => {
    const { unmount } = renderApp({ mode: 'instant' });
    await cameraRunning();
    expect(fakeCamera.maxTransitionsInFlight).toBe(1);
    unmount();
    await waitFor(() => {
      expect(fakeCamera.running.size).toBe(0);
    });
  });

  it('releases the camera while the page is hidden and takes it back when shown', async () => {
    renderApp({ mode: 'instant' });
    await cameraRunning();
    const setVisibility = (state: DocumentVisibilityState) => {
      Object.defineProperty(document, 'visibilityState', { value: state, configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    };
    act(() => {
      setVisibility('hidden');
    });
    await waitFor(() => {
      expect(fakeCamera.running.size).toBe(0);
    });
    act(() => {
      setVisibility('visible');
    });
    await cameraRunning();
  });
});
