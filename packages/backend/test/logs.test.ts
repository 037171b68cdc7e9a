// Secrets never reach the logs: the app runs with the server's own logger options
// (src/lib/logging.ts) at the most verbose level, a realistic day goes through it over real HTTP
// (logins good and bad, look-ups, a redemption and its retry, QR images, searches, a void, the
// scanner's coupon link, calls with bearer tokens, logout), and everything written is searched for
// the passwords, the session token, the Authorization values and every coupon code.
import { formatCouponCode } from '@couponscan/shared/code';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggerOptions, redactUrl } from '../src/lib/logging.ts';
import { createTestApp, listen, type TestApp } from './helpers/app.ts';
import {
  ApiClient,
  makeCoupon,
  makeUser,
  TEST_PASSWORD,
  type ApiResponse,
} from './helpers/factories.ts';

const lines: string[] = [];
const capture = new Writable({
  write(chunk: Buffer, _encoding, callback) {
    lines.push(chunk.toString('utf8'));
    callback();
  },
});

const METRICS_TOKEN = 'metrics-token-9f8e7d6c5b4a';
const WRONG_PASSWORD = 'wrong-password-31415';
const BEARER = 'cs_live_0123456789abcdefghijklmnop';

let t: TestApp;
let baseUrl: string;
const secrets: string[] = [TEST_PASSWORD, WRONG_PASSWORD, METRICS_TOKEN, BEARER];

beforeAll(async () => {
  t = await createTestApp({
    config: { metrics: { token: METRICS_TOKEN, port: null } },
    logger: loggerOptions('trace', capture),
  });
  baseUrl = await listen(t.app);

  const staffUser = await makeUser(t.db, 'staff');
  const marketerUser = await makeUser(t.db, 'marketer');
  const { campaign, coupon } = await makeCoupon(t.db, { maxRedemptionsPerCoupon: 2 });
  const { coupon: other } = await makeCoupon(t.db);
  secrets.push(
    coupon.code,
    formatCouponCode(coupon.code),
    other.code,
    formatCouponCode(other.code),
  );

  const staff = new ApiClient(baseUrl);
  const marketer = new ApiClient(baseUrl);
  const nobody = new ApiClient(baseUrl);
  const ok = (response: ApiResponse, status: number) => {
    expect(response.status, JSON.stringify(response.body)).toBe(status);
  };

  ok(await nobody.login(staffUser.email, WRONG_PASSWORD), 401);
  ok(await nobody.login('nobody@example.test', TEST_PASSWORD), 401);
  ok(await staff.login(staffUser.email), 200);
  ok(await marketer.login(marketerUser.email), 200);
  secrets.push(staff.cookie, staff.cookie.split('=')[1] ?? '', marketer.cookie);
  secrets.push(marketer.cookie.split('=')[1] ?? '');

  ok(await staff.request('GET', `/api/coupons/${coupon.code}`), 200);
  ok(await staff.request('GET', `/api/coupons/${formatCouponCode(coupon.code)}`), 200);
  const key = 'logs-test-key-0001';
  ok(await staff.redeem(formatCouponCode(coupon.code), key), 201);
  ok(await staff.redeem(formatCouponCode(coupon.code), key), 201);
  ok(await staff.redeem(`${coupon.code.slice(0, -1)}!`), 422);
  const qr = await fetch(`${baseUrl}/api/coupons/${coupon.code}/qr.svg`, {
    headers: { cookie: marketer.cookie },
  });
  expect(qr.status).toBe(200);
  ok(await marketer.request('GET', `/api/campaigns/${campaign.id}/coupons?q=${coupon.code}`), 200);
  ok(
    await marketer.request('POST', `/api/coupons/${other.code}/void`, { reason: 'logs test' }),
    200,
  );
  // the scanner's coupon link, and a mistyped API path carrying a code
  await fetch(`${baseUrl}/c/${coupon.code}`);
  await fetch(`${baseUrl}/api//coupons/${other.code}`, { headers: { cookie: staff.cookie } });
  // bearer tokens: metrics, and an API call with a token the app does not know
  const metrics = await fetch(`${baseUrl}/metrics`, {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  });
  expect(metrics.status).toBe(200);
  await fetch(`${baseUrl}/api/campaigns`, { headers: { authorization: `Bearer ${BEARER}` } });
  ok(await staff.request('POST', '/api/auth/logout'), 204);
  ok(await staff.request('GET', '/api/auth/me'), 401);
});
afterAll(() => t.close());

describe('logs', () => {
  it('the app logged the requests (the capture works)', () => {
    const text = lines.join('');
    expect(text).toContain('"url":"/api/auth/login"');
    expect(text).toContain(`"url":"/api/coupons/[redacted]/qr.svg"`);
    expect(text).toContain('"url":"/c/[redacted]"');
  });

  it('carry no password, session token, bearer token or coupon code', () => {
    const text = lines.join('');
    const found = secrets.filter((secret) => secret.length >= 8 && text.includes(secret));
    expect(found).toEqual([]);
    // nor any header that carries a credential
    expect(text).not.toMatch(/"(cookie|authorization|set-cookie)":"(?!\[redacted\])/i);
  });

  it('mask codes in URLs wherever they appear', () => {
    expect(redactUrl('/api/coupons/ABCD-EFGH/qr.png?size=256')).toBe(
      '/api/coupons/[redacted]/qr.png?size=256',
    );
    expect(redactUrl('/c/ABCDEFGH')).toBe('/c/[redacted]');
    expect(redactUrl('/api/campaigns/1/coupons?limit=5&q=ABCD')).toBe(
      '/api/campaigns/1/coupons?limit=5&q=[redacted]',
    );
    expect(redactUrl('/API//Coupons/ABCD')).toBe('/API//Coupons/[redacted]');
    expect(redactUrl('/api/stores?cursor=x')).toBe('/api/stores?cursor=x');
  });
});
