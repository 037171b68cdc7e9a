// The default API: a signed-in staff member with no redemptions yet. Tests add handlers for what
// they exercise with server.use(...).
import type { Page } from '@couponscan/shared/common';
import type { SessionResponse } from '@couponscan/shared/auth';
import type { LedgerEntry } from '@couponscan/shared/redemptions';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { emptyPage, session } from './fixtures.ts';

export const server = setupServer(
  http.get('/api/auth/me', () => HttpResponse.json<SessionResponse>(session('staff'))),
  http.get('/api/redemptions', () => HttpResponse.json<Page<LedgerEntry>>(emptyPage)),
);
