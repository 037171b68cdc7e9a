// Sign-in, roles, and a session that expires in the middle of work.
import type { SessionResponse } from '@couponscan/shared/auth';
import { problemType } from '@couponscan/shared/errors';
import type { RedemptionSuccess } from '@couponscan/shared/redemptions';
import { screen, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { cameraRunning, scan } from './camera-helpers.ts';
import {
  newCode,
  problemResponse,
  redemptionSuccess,
  session,
  unauthenticated,
} from './fixtures.ts';
import { server } from './msw-server.ts';
import { renderApp, verdictElement } from './render-app.tsx';

/** A tiny auth server: signed out until POST /api/auth/login with the demo password. */
function authServer(role: 'staff' | 'marketer' = 'staff') {
  let signedIn = false;
  server.use(
    http.get('/api/auth/me', () =>
      signedIn ? HttpResponse.json<SessionResponse>(session(role)) : unauthenticated(),
    ),
    http.post('/api/auth/login', async ({ request }) => {
      const body = (await request.json()) as { email: string; password: string };
      if (body.password !== 'demo-password') {
        return problemResponse({
          type: problemType('invalid_credentials'),
          title: 'Wrong email or password',
          status: 401,
          code: 'invalid_credentials',
        });
      }
      signedIn = true;
      return HttpResponse.json<SessionResponse>(session(role));
    }),
  );
  return {
    expire() {
      signedIn = false;
    },
  };
}

describe('sign-in', () => {
  it('staff land on the scanner after signing in', async () => {
    authServer('staff');
    const { user } = renderApp({ path: '/' });
    await user.type(await screen.findByLabelText('Email'), 'staff@example.com');
    await user.type(screen.getByLabelText('Password'), 'wrong-password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong email or password.');

    await user.clear(screen.getByLabelText('Password'));
    await user.type(screen.getByLabelText('Password'), 'demo-password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await cameraRunning();
    expect(screen.getByText('Point at the QR code')).toBeInTheDocument();
    expect(window.location.pathname).toBe('/scan');
  });

  it('marketers land on the console, which is loaded only for them', async () => {
    authServer('marketer');
    const { user } = renderApp({ path: '/' });
    await user.type(await screen.findByLabelText('Email'), 'marketer@example.com');
    await user.type(screen.getByLabelText('Password'), 'demo-password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Dashboard' })).toBeInTheDocument();
    expect(window.location.pathname).toBe('/console');
  });

  it('a session that expired sends the user to sign in, and then back to the scanner', async () => {
    const auth = authServer('staff');
    server.use(
      http.post('/api/redemptions', async ({ request }) => {
        const { code } = (await request.json()) as { code: string };
        return HttpResponse.json<RedemptionSuccess>(redemptionSuccess(code), { status: 201 });
      }),
    );
    const { user } = renderApp({ path: '/scan', mode: 'instant' });
    await user.type(await screen.findByLabelText('Email'), 'staff@example.com');
    await user.type(screen.getByLabelText('Password'), 'demo-password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await cameraRunning();

    auth.expire();
    server.use(http.post('/api/redemptions', () => unauthenticated()));
    await scan(newCode());

    expect(await screen.findByText(/Your session has ended/)).toBeInTheDocument();
    expect(window.location.pathname).toBe('/login');
    await user.type(screen.getByLabelText('Email'), 'staff@example.com');
    await user.type(screen.getByLabelText('Password'), 'demo-password');
    server.resetHandlers();
    authServer('staff');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    await cameraRunning();
    expect(window.location.pathname).toBe('/scan');
    await waitFor(() => {
      expect(verdictElement()).toBeNull();
    });
  });
});
