// Confirm mode (the default) shows the coupon before anything is redeemed; instant mode redeems
// on scan. The camera never sends a misread, nor the same code again while its verdict is shown.
import type { CouponPreview } from '@couponscan/shared/coupons';
import type { RedemptionSuccess } from '@couponscan/shared/redemptions';
import { act, screen, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
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

function recordRedeemedCodes(): string[] {
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

async function userEventClick(name: string) {
  const button = screen.getByRole('button', { name });
  act(() => {
    button.click();
  });
  await cameraRunning();
}

describe('the camera', () => {
  it('one frame with a bad check character is ignored; read again, it is "Not a coupon code" with the typing hint, and nothing is sent', async () => {
    const counts = countRequests();
    answerRedemptions();
    const { user } = renderApp({ mode: 'instant' });
    const code = newCode();
    const misread = code.slice(0, -1) + (code.endsWith('0') ? '1' : '0');
    await scan(misread);
    expect(verdictElement()).toBeNull();

    await scan(misread);
    await waitFor(() => {
      expect(verdictElement()).toHaveAttribute('data-outcome', 'invalid_code');
    });
    expect(verdictElement()).toHaveTextContent(/not a coupon code/i);
    expect(verdictElement()).toHaveTextContent(/Type the code/);
    expect(counts.redeem).toBe(0);

    await user.click(screen.getByRole('button', { name: 'Type the code' }));
    await waitFor(() => {
      expect(screen.getByLabelText('Or type the code')).toHaveFocus();
    });
  });

  it('a URL that is not the app\'s coupon link says "This QR code is not a coupon", and nothing is sent', async () => {
    const counts = countRequests();
    answerRedemptions();
    renderApp({ mode: 'instant' });
    const code = newCode();
    for (const text of [
      'https://menu.example/restaurant/menu',
      `https://coupons.elsewhere.example/c/${code}`,
    ]) {
      await scan(text);
      await scan(text);
      await waitFor(() => {
        expect(verdictElement()).toHaveAttribute('data-outcome', 'not_a_coupon');
      });
      expect(verdictElement()).toHaveTextContent(/this qr code is not a coupon/i);
      await userEventClick('Scan next');
    }
    expect(counts.redeem).toBe(0);
  });

  it("accepts the app's own coupon link, <origin>/c/<CODE>, and a bare code", async () => {
    const code = newCode();
    const sent: string[] = [];
    server.use(
      http.post('/api/redemptions', async ({ request }) => {
        const body = (await request.json()) as { code: string };
        sent.push(body.code);
        return HttpResponse.json<RedemptionSuccess>(redemptionSuccess(body.code), {
          status: 201,
        });
      }),
    );
    renderApp({ mode: 'instant' });
    await scan(`${window.location.origin}/c/${code}`);
    await waitFor(() => {
      expect(verdictElement()).toHaveAttribute('data-outcome', 'redeemed');
    });
    expect(sent).toEqual([code]);
  });

  it('decoding pauses while a verdict is on screen: a second code in view waits until it is dismissed', async () => {
    const counts = countRequests();
    answerRedemptions();
    const { user } = renderApp({ mode: 'instant' });
    const first = newCode();
    const second = newCode();
    await scan(first);
    await waitFor(() => {
      expect(verdictElement()).toHaveAttribute('data-outcome', 'redeemed');
    });
    await waitFor(() => {
      expect(fakeCamera.paused).toBe(true);
    });
    act(() => {
      fakeCamera.show(second);
    });
    expect(counts.redeem).toBe(1);

    await user.click(screen.getByRole('button', { name: 'Scan next' }));
    await scan(second);
    await waitFor(() => {
      expect(counts.redeem).toBe(2);
    });
  });

  it('does not send the same code again, on screen or after "Scan next" while it stays in view', async () => {
    // the clock stands still: every read is "still in view", however slowly this machine runs
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const sent = recordRedeemedCodes();
    const { user } = renderApp({ mode: 'instant' });
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
    await user.click(screen.getByRole('button', { name: 'Scan next' }));
    for (let frame = 0; frame < 10; frame++) await scan(code);
    // a different code is sent: anything the frames above had sent would be before it
    const next = newCode();
    await scan(next);
    await waitFor(() => {
      expect(sent).toContain(next);
    });
    expect(sent).toEqual([code, next]);
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
