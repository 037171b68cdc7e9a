// Every route checks the role: without a session 401 unauthenticated, with the wrong role 403
// forbidden, with the right one neither. Staff see and redeem only for their own store.
import type { Role } from '@couponscan/shared/auth';
import type { Page } from '@couponscan/shared/common';
import type { LedgerEntry } from '@couponscan/shared/redemptions';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/app.ts';
import {
  ApiClient,
  loggedIn,
  makeCampaign,
  makeCoupon,
  makeStore,
  makeUser,
} from './helpers/factories.ts';

let t: TestApp;
const clients = {} as Record<Role, ApiClient>;
let otherStaff: ApiClient;
let fixtures: {
  storeId: string;
  otherStoreId: string;
  userId: string;
  campaignId: string;
  couponCodes: string[];
};

beforeAll(async () => {
  t = await createTestApp();
  const store = await makeStore(t.db);
  const otherStore = await makeStore(t.db);
  clients.admin = await loggedIn(t.app, (await makeUser(t.db, 'admin')).email);
  clients.marketer = await loggedIn(t.app, (await makeUser(t.db, 'marketer')).email);
  clients.staff = await loggedIn(
    t.app,
    (await makeUser(t.db, 'staff', { storeId: store.id })).email,
  );
  otherStaff = await loggedIn(
    t.app,
    (await makeUser(t.db, 'staff', { storeId: otherStore.id })).email,
  );
  const campaign = await makeCampaign(t.db, { maxRedemptionsPerCoupon: 100 });
  const couponCodes: string[] = [];
  for (let i = 0; i < 4; i++) couponCodes.push((await makeCoupon(t.db)).coupon.code);
  fixtures = {
    storeId: store.id,
    otherStoreId: otherStore.id,
    userId: (await makeUser(t.db, 'marketer')).id,
    campaignId: campaign.id,
    couponCodes,
  };
});
afterAll(() => t.close());

interface RouteCase {
  method: 'GET' | 'POST' | 'PATCH';
  path: () => string;
  /** A body the route accepts, so that only the role decides. */
  body?: () => unknown;
  headers?: Record<string, string>;
  roles: readonly Role[];
}

const ALL: readonly Role[] = ['admin', 'marketer', 'staff'];
let storeSerial = 0;

const routes: RouteCase[] = [
  {
    method: 'POST',
    path: () => '/api/stores',
    body: () => ({ code: `ROLE-${++storeSerial}`, name: 'Role test' }),
    roles: ['admin'],
  },
  { method: 'GET', path: () => '/api/stores', roles: ['admin', 'marketer'] },
  {
    method: 'PATCH',
    path: () => `/api/stores/${fixtures.storeId}`,
    body: () => ({ timeZone: 'Europe/Berlin' }),
    roles: ['admin'],
  },
  { method: 'GET', path: () => '/api/stats/overview', roles: ['marketer', 'admin'] },
  { method: 'GET', path: () => '/api/stats/suspicious', roles: ['marketer', 'admin'] },
  { method: 'GET', path: () => '/api/batches?status=running', roles: ['marketer', 'admin'] },
  {
    method: 'POST',
    path: () => '/api/users',
    body: () => ({
      email: `role-${randomUUID()}@example.test`,
      name: 'Role test',
      password: 'a-long-password',
      role: 'marketer',
    }),
    roles: ['admin'],
  },
  { method: 'GET', path: () => '/api/users', roles: ['admin'] },
  {
    method: 'PATCH',
    path: () => `/api/users/${fixtures.userId}`,
    body: () => ({ name: 'Renamed by role test' }),
    roles: ['admin'],
  },
  {
    method: 'POST',
    path: () => '/api/campaigns',
    body: () => ({ name: 'Role test', discount: { type: 'percent', value: 5 } }),
    roles: ['marketer', 'admin'],
  },
  { method: 'GET', path: () => '/api/campaigns', roles: ['marketer', 'admin'] },
  {
    method: 'GET',
    path: () => `/api/campaigns/${fixtures.campaignId}`,
    roles: ['marketer', 'admin'],
  },
  {
    method: 'PATCH',
    path: () => `/api/campaigns/${fixtures.campaignId}`,
    body: () => ({ name: 'Renamed by role test' }),
    roles: ['marketer', 'admin'],
  },
  {
    method: 'POST',
    path: () => `/api/campaigns/${fixtures.campaignId}/coupons`,
    body: () => ({ count: 1 }),
    roles: ['marketer', 'admin'],
  },
  {
    method: 'GET',
    path: () => `/api/campaigns/${fixtures.campaignId}/coupons`,
    roles: ['marketer', 'admin'],
  },
  { method: 'GET', path: () => `/api/coupons/${fixtures.couponCodes[0] ?? ''}`, roles: ALL },
  {
    method: 'POST',
    path: () => `/api/coupons/${fixtures.couponCodes[1] ?? ''}/void`,
    body: () => ({ reason: 'role test' }),
    roles: ['marketer', 'admin'],
  },
  {
    method: 'POST',
    path: () => '/api/redemptions',
    body: () => ({ code: fixtures.couponCodes[2] ?? '', storeId: fixtures.storeId }),
    headers: { 'idempotency-key': `role-test-${randomUUID()}` },
    roles: ['staff', 'admin'],
  },
  {
    method: 'POST',
    path: () => `/api/redemptions/${randomUUID()}/reversal`,
    body: () => ({ reason: 'role test' }),
    roles: ['staff', 'admin'],
  },
  { method: 'GET', path: () => '/api/redemptions', roles: ALL },
  { method: 'GET', path: () => '/api/auth/me', roles: ALL },
];

function call(client: ApiClient, route: RouteCase, body = route.body?.()) {
  return client.request(route.method, route.path(), body, route.headers ?? {});
}

const name = (route: RouteCase) =>
  `${route.method} ${route.path.toString().replace(/^\(\) => /, '')}`;

describe.each(routes.map((route) => [name(route), route] as const))('%s', (_, route) => {
  it('without a session: 401 unauthenticated problem+json', async () => {
    const response = await call(new ApiClient(t.app), route);
    expect(response.status).toBe(401);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body).toMatchObject({ status: 401, code: 'unauthenticated' });
  });

  if (route.body !== undefined) {
    it('without a session and with an invalid body: still 401, the body is not looked at', async () => {
      const response = await call(new ApiClient(t.app), route, { unexpected: true });
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ code: 'unauthenticated' });
    });
  }

  for (const role of ALL) {
    if (route.roles.includes(role)) {
      it(`${role}: allowed (neither 401 nor 403)`, async () => {
        const response = await call(clients[role], route);
        expect([401, 403]).not.toContain(response.status);
        expect(response.status).toBeLessThan(500);
      });
    } else {
      it(`${role}: 403 forbidden`, async () => {
        const response = await call(clients[role], route);
        expect(response.status).toBe(403);
        expect(response.headers['content-type']).toContain('application/problem+json');
        expect(response.body).toMatchObject({ status: 403, code: 'forbidden' });
      });
      if (route.body !== undefined) {
        it(`${role} with an invalid body: still 403 forbidden`, async () => {
          const response = await call(clients[role], route, { unexpected: true });
          expect(response.status).toBe(403);
        });
      }
    }
  }
});

describe('staff and their store', () => {
  it('staff listing redemptions see only their own store’s, never another store’s', async () => {
    const mine = await makeCoupon(t.db);
    const theirs = await makeCoupon(t.db);
    expect((await clients.staff.redeem(mine.coupon.code)).status).toBe(201);
    expect((await otherStaff.redeem(theirs.coupon.code)).status).toBe(201);

    const response = await clients.staff.request<Page<LedgerEntry>>(
      'GET',
      '/api/redemptions?limit=500',
    );
    expect(response.status).toBe(200);
    const codes = response.body.items.map((entry) => entry.code);
    expect(codes).toContain(mine.coupon.code);
    expect(codes).not.toContain(theirs.coupon.code);
    expect(new Set(response.body.items.map((entry) => entry.storeId))).toEqual(
      new Set([fixtures.storeId]),
    );
    // an admin sees both
    const all = await clients.admin.request<Page<LedgerEntry>>('GET', '/api/redemptions?limit=500');
    expect(all.body.items.map((entry) => entry.code)).toEqual(
      expect.arrayContaining([mine.coupon.code, theirs.coupon.code]),
    );
  });

  it('staff asking for another store’s redemptions are refused with 403 forbidden', async () => {
    const response = await clients.staff.request(
      'GET',
      `/api/redemptions?storeId=${fixtures.otherStoreId}`,
    );
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ code: 'forbidden' });
  });

  it('staff naming their own store in the redemptions filter are answered', async () => {
    const response = await clients.staff.request(
      'GET',
      `/api/redemptions?storeId=${fixtures.storeId}`,
    );
    expect(response.status).toBe(200);
  });

  it('staff previewing a coupon for another store are refused with 403 forbidden', async () => {
    const { coupon } = await makeCoupon(t.db);
    const response = await clients.staff.request(
      'GET',
      `/api/coupons/${coupon.code}?storeId=${fixtures.otherStoreId}`,
    );
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ code: 'forbidden' });
  });

  it('staff redeeming for another store are refused with 403 forbidden', async () => {
    const { coupon } = await makeCoupon(t.db);
    const response = await clients.staff.redeem(coupon.code, undefined, {
      storeId: fixtures.otherStoreId,
    });
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ code: 'forbidden' });
  });

  it('staff cannot undo another store’s redemption: it is not found for them', async () => {
    const { coupon } = await makeCoupon(t.db);
    const redeemed = await otherStaff.redeem(coupon.code);
    const id = (redeemed.body as { redemption: { id: string } }).redemption.id;
    const response = await clients.staff.request('POST', `/api/redemptions/${id}/reversal`, {
      reason: 'not mine',
    });
    expect(response.status).toBe(404);
  });
});
