// A page on another site cannot use a logged-in session to change anything, whatever
// content type its form posts; the app itself, other programs and API tokens are unaffected.
import { PROBLEM_CONTENT_TYPE } from '@couponscan/shared/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/app.ts';
import {
  loggedIn,
  makeCampaign,
  makeCoupon,
  makeStore,
  makeUser,
  type ApiClient,
} from './helpers/factories.ts';

let t: TestApp;
let marketer: ApiClient;
let staff: ApiClient;

const APP_ORIGIN = 'https://coupons.example.test';
const EVIL = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };

beforeAll(async () => {
  t = await createTestApp({ config: { publicOrigins: [APP_ORIGIN] } });
  marketer = await loggedIn(t.app, (await makeUser(t.db, 'marketer')).email);
  const store = await makeStore(t.db);
  staff = await loggedIn(t.app, (await makeUser(t.db, 'staff', { storeId: store.id })).email);
});
afterAll(() => t.close());

/** A form post from another site: text/plain, the session cookie attached by the browser. */
function crossSitePost(client: ApiClient, url: string, payload: string, headers = EVIL) {
  return t.app.inject({
    method: 'POST',
    url,
    payload,
    headers: { ...headers, 'content-type': 'text/plain', cookie: client.cookie },
  });
}

async function counts() {
  const count = async (table: 'coupons' | 'campaigns' | 'transactions' | 'sessions' | 'scans') =>
    Number(
      (
        await t.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    coupons: await count('coupons'),
    campaigns: await count('campaigns'),
    transactions: await count('transactions'),
    sessions: await count('sessions'),
    scans: await count('scans'),
    voided: Number(
      (
        await t.db
          .selectFrom('coupons')
          .where('voided_at', 'is not', null)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
  };
}

describe('cross-site requests with the session cookie', () => {
  it('cannot import, create, void, redeem, cancel or log out, and change nothing', async () => {
    const campaign = await makeCampaign(t.db);
    const { coupon } = await makeCoupon(t.db);
    const batch = await marketer.request<{ id: string }>(
      'POST',
      `/api/campaigns/${campaign.id}/batches`,
      { count: 10 },
    );
    const before = await counts();
    const attempts = [
      crossSitePost(marketer, `/api/campaigns/${campaign.id}/imports`, 'code\nEVIL0001\n'),
      crossSitePost(
        marketer,
        '/api/campaigns',
        '{"name":"x","discount":{"type":"percent","value":1}}',
      ),
      crossSitePost(marketer, `/api/coupons/${coupon.code}/void`, '{"reason":"csrf"}'),
      crossSitePost(marketer, `/api/batches/${batch.body.id}/cancel`, ''),
      crossSitePost(staff, '/api/redemptions', `{"code":"${coupon.code}"}`),
      crossSitePost(marketer, '/api/auth/logout', ''),
      // Origin alone (a browser without Fetch Metadata), and the opaque origin of a sandbox
      crossSitePost(marketer, '/api/auth/logout', '', { origin: 'https://evil.example' } as never),
      crossSitePost(marketer, '/api/auth/logout', '', { origin: 'null' } as never),
      // a sibling subdomain is another site's page, too
      crossSitePost(marketer, '/api/auth/logout', '', { 'sec-fetch-site': 'same-site' } as never),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.statusCode, response.body).toBe(403);
      expect(response.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
      expect(response.json<{ code: string }>().code).toBe('cross_site_request');
    }
    expect(await counts()).toEqual(before);
    expect((await marketer.request('GET', '/api/auth/me')).status).toBe(200);
  });

  it('a JSON request from another site is refused as well (any content type)', async () => {
    const response = await marketer.request(
      'POST',
      '/api/campaigns',
      { name: 'x', discount: { type: 'percent', value: 1 } },
      EVIL,
    );
    expect(response.status).toBe(403);
  });
});

describe('the app, other programs and tokens', () => {
  const create = (client: ApiClient, headers: Record<string, string>) =>
    client.request(
      'POST',
      '/api/campaigns',
      { name: 'ok', discount: { type: 'percent', value: 1 } },
      headers,
    );

  it('the app’s own pages (same-origin, or the configured public origin) may change state', async () => {
    expect((await create(marketer, { 'sec-fetch-site': 'same-origin' })).status).toBe(201);
    expect(
      (await create(marketer, { origin: APP_ORIGIN, 'sec-fetch-site': 'same-site' })).status,
    ).toBe(201);
    expect((await create(marketer, { origin: 'http://localhost:80' })).status).toBe(201);
  });

  it('a program that sends no Origin (curl, the API client) is not a browser and may', async () => {
    expect((await create(marketer, {})).status).toBe(201);
  });

  it('a request with an Authorization header is not judged by origin', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { ...EVIL, authorization: 'Bearer not-a-real-token' },
    });
    expect(response.statusCode).not.toBe(403);
  });

  it('reading is never refused: GET from another site answers as usual', async () => {
    expect((await marketer.request('GET', '/api/auth/me', undefined, EVIL)).status).toBe(200);
  });
});
