// The hostile review: input that used to end in 500 (or worse) is a 4xx problem+json
// everywhere, because the rules live in the validation layer rather than in each route.
import { PROBLEM_CONTENT_TYPE, type Problem } from '@couponscan/shared/errors';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidDateTime } from '../src/lib/date-time.ts';
import { hardenSchema } from '../src/plugins/validation.ts';
import { createTestApp, listen, type TestApp } from './helpers/app.ts';
import {
  loggedIn,
  makeCampaign,
  makeCoupon,
  makeUser,
  type ApiClient,
} from './helpers/factories.ts';

let t: TestApp;
let marketer: ApiClient;
let admin: ApiClient;
let staff: ApiClient;

beforeAll(async () => {
  t = await createTestApp();
  marketer = await loggedIn(t.app, (await makeUser(t.db, 'marketer')).email);
  admin = await loggedIn(t.app, (await makeUser(t.db, 'admin')).email);
  staff = await loggedIn(t.app, (await makeUser(t.db, 'staff')).email);
  LISTS.push(`/api/campaigns/${(await makeCampaign(t.db)).id}/coupons`);
});
afterAll(() => t.close());

function expectBadRequest(
  response: { status: number; headers: Record<string, string>; body: unknown },
  status = 422,
): Problem {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
  return response.body as Problem;
}

const LISTS = ['/api/stores', '/api/users', '/api/campaigns', '/api/redemptions'];

describe('numbers are finite and in range everywhere', () => {
  it.each(['1e309', 'Infinity', '-Infinity', '1e400', 'NaN'])(
    'a count of "%s" on coupons and batches is refused with 422',
    async (count) => {
      const campaign = await makeCampaign(t.db);
      for (const path of ['coupons', 'batches']) {
        const response = await marketer.request('POST', `/api/campaigns/${campaign.id}/${path}`, {
          count,
        });
        const problem = expectBadRequest(response);
        expect(problem.code).toBe('validation_failed');
        expect(problem.errors?.[0]?.pointer).toBe('/body/count');
      }
      expect(
        await t.db.selectFrom('coupons').where('campaign_id', '=', campaign.id).execute(),
      ).toEqual([]);
    },
  );

  it.each(['1e309', 'Infinity', '-1e309'])(
    '?limit=%s on every list is refused with 422',
    async (limit) => {
      for (const list of LISTS) {
        const problem = expectBadRequest(await admin.request('GET', `${list}?limit=${limit}`));
        expect(problem.errors?.[0]?.pointer).toBe('/querystring/limit');
      }
    },
  );

  it('qr.png?size=1e309 is refused with 422', async () => {
    const { coupon } = await makeCoupon(t.db);
    const problem = expectBadRequest(
      await marketer.request('GET', `/api/coupons/${coupon.code}/qr.png?size=1e309`),
    );
    expect(problem.errors?.[0]?.pointer).toBe('/querystring/size');
  });

  it.each([5e-324, 0.001, 12.345])(
    'a percent discount of %s, which would round to another stored value, is refused with 422',
    async (value) => {
      const problem = expectBadRequest(
        await marketer.request('POST', '/api/campaigns', {
          name: 'Tiny',
          discount: { type: 'percent', value },
        }),
        422,
      );
      expect(problem.errors?.[0]?.pointer).toBe('/body/discount/value');
    },
  );

  it('a discount value of 1e309 is refused', async () => {
    expectBadRequest(
      await marketer.request('POST', '/api/campaigns', {
        name: 'Infinite',
        discount: { type: 'amount', value: '1e309', currency: 'EUR' },
      }),
    );
  });
});

describe('date-times name real instants', () => {
  it.each([
    '2026-12-31T23:59:60Z',
    '2026-02-30T10:00:00Z',
    '0000-01-01T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-01-01T24:00:00Z',
  ])('%s is refused in a body and in a query with 422', async (date) => {
    expectBadRequest(
      await marketer.request('POST', '/api/campaigns', {
        name: 'Leap',
        discount: { type: 'percent', value: 10 },
        validUntil: date,
      }),
    );
    expectBadRequest(
      await marketer.request('GET', `/api/redemptions.csv?from=${encodeURIComponent(date)}`),
    );
  });

  it('ordinary RFC 3339 times with offsets are accepted', () => {
    expect(isValidDateTime('2024-02-29T12:00:00.123456+02:00')).toBe(true);
    expect(isValidDateTime('9999-12-31T23:59:59Z')).toBe(true);
    expect(isValidDateTime('2023-02-29T12:00:00Z')).toBe(false);
  });
});

describe('ids that name nothing', () => {
  it('a look-up judged for a store that does not exist is 422, not a foreign-key 500', async () => {
    const { coupon } = await makeCoupon(t.db);
    for (const client of [admin, marketer]) {
      const problem = expectBadRequest(
        await client.request(
          'GET',
          `/api/coupons/${coupon.code}?storeId=00000000-0000-4000-8000-000000000000`,
        ),
      );
      expect(problem.errors?.[0]?.pointer).toBe('/querystring/storeId');
    }
    expect(await t.db.selectFrom('scans').where('coupon_id', '=', coupon.id).execute()).toEqual([]);
  });
});

describe('cursors are checked before they reach the database', () => {
  const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  it.each([
    [
      'a year PostgreSQL cannot hold',
      ['-200000-01-01T00:00:00.000Z', '00000000-0000-4000-8000-000000000000'],
    ],
    ['a year past 9999', ['+275000-01-01T00:00:00.000Z', '00000000-0000-4000-8000-000000000000']],
    ['an id of dashes', ['2026-01-01T00:00:00.000Z', '------------------------------------']],
    ['an id that is not hex', ['2026-01-01T00:00:00.000Z', 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz']],
    ['a number for a time', [1e300, '00000000-0000-4000-8000-000000000000']],
  ])('a cursor with %s is refused with 422 on every list', async (_name, value) => {
    for (const list of LISTS) {
      const problem = expectBadRequest(
        await admin.request('GET', `${list}?cursor=${cursor(value)}`),
      );
      expect(problem.errors?.[0]?.pointer).toBe('/querystring/cursor');
    }
  });
});

describe('NUL characters are refused in every text field', () => {
  it('the email of an unauthenticated login', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'a\u0000@example.test', password: 'whatever-password' },
    });
    expect(response.statusCode).toBe(422);
    expect(response.json<Problem>().errors?.[0]).toEqual({
      pointer: '/body/email',
      message: 'must not contain NUL characters',
    });
  });

  it('a campaign name, a void reason, a path parameter and a query', async () => {
    expectBadRequest(
      await marketer.request('POST', '/api/campaigns', {
        name: 'Nul\u0000',
        discount: { type: 'percent', value: 10 },
      }),
    );
    const { coupon } = await makeCoupon(t.db);
    expectBadRequest(
      await marketer.request('POST', `/api/coupons/${coupon.code}/void`, { reason: 'x\u0000' }),
    );
    expectBadRequest(await staff.request('GET', '/api/coupons/AB%00CD'));
    expectBadRequest(await staff.redeem('AB\u0000CD'));
    expectBadRequest(await admin.request('GET', '/api/stores?cursor=%00'));
  });

  it('a NUL in a session cookie is no session, not a database error', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: { cookie: `couponscan_session=${'a'.repeat(30)}%00` },
    });
    expect(response.statusCode).toBe(401);
  });

  it('hardening leaves data keywords alone', () => {
    expect(hardenSchema({ type: 'string', enum: ['a'], default: 'a' })).toEqual({
      type: 'string',
      enum: ['a'],
      default: 'a',
      noNul: true,
    });
  });
});

describe('framework errors are problem+json', () => {
  it('a path with broken percent-encoding answers 400 malformed_request', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/coupons/%E0%A4%A' });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
    expect(response.json<Problem>().code).toBe('malformed_request');
    // answered before any hook runs, and still with the API's security headers
    expect(response.headers['content-security-policy']).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('a path parameter over the router’s limit answers problem+json', async () => {
    const response = await staff.request('GET', `/api/coupons/${'A'.repeat(500)}`);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
  });

  it('oversized headers over real HTTP answer 431 problem+json', async () => {
    const base = new URL(await listen(t.app));
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(base.port), base.hostname);
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('end', () => {
        resolve(data);
      });
      socket.on('error', reject);
      socket.write(`GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 431 /);
    expect(raw).toContain(PROBLEM_CONTENT_TYPE);
    expect(raw).toContain('"code":"header_too_large"');
    expect(raw).toContain('x-content-type-options: nosniff\r\n');
    expect(raw).toContain(
      "content-security-policy: default-src 'none'; frame-ancestors 'none'\r\n",
    );
  });

  it('a JSON body to an endpoint with a text body type answers 415 problem+json', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/campaigns',
      payload: '<xml/>',
      headers: { 'content-type': 'application/xml', cookie: marketer.cookie },
    });
    expect(response.statusCode).toBe(415);
    expect(response.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
  });
});
