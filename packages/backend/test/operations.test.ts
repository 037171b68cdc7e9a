// Operating couponscan: readiness, Prometheus metrics, security headers and server timeouts.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { createDatabase } from '../src/db/database.ts';
import { startMetricsServer } from '../src/metrics-server.ts';
import { recordAnswers } from './helpers/answers.ts';
import { createTestApp, testConfig, type TestApp } from './helpers/app.ts';
import { loggedIn, makeCampaign, makeCoupon, makeUser } from './helpers/factories.ts';

const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ config: { metrics: { token: METRICS_TOKEN, port: null } } });
});
afterAll(() => t.close());

/** The app on a database nobody listens on: every query fails at once. */
async function appWithoutDatabase() {
  const db = createDatabase('postgres://couponscan@127.0.0.1:1/unreachable', 1);
  const app = await buildApp({ config: testConfig(), db });
  recordAnswers(app);
  await app.ready();
  return {
    app,
    close: async () => {
      await app.close();
      await db.destroy();
    },
  };
}

describe('GET /api/ready', () => {
  it('is 200 ready when the database answers and every migration has run', async () => {
    const response = await t.app.inject({ url: '/api/ready' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      status: 'ready',
      database: 'ok',
      migrations: { pending: [], current: true },
    });
  });

  it('is 503 not_ready naming the migration the database has not run', async () => {
    const last = await t.db
      .selectFrom('kysely_migration' as never)
      .select('name' as never)
      .orderBy('name' as never, 'desc')
      .executeTakeFirstOrThrow();
    const name = (last as { name: string }).name;
    await t.db
      .deleteFrom('kysely_migration' as never)
      .where('name' as never, '=', name as never)
      .execute();
    try {
      const response = await t.app.inject({ url: '/api/ready' });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toEqual({
        status: 'not_ready',
        database: 'ok',
        migrations: { pending: [name], current: false },
      });
    } finally {
      await t.db
        .insertInto('kysely_migration' as never)
        .values({ name, timestamp: new Date().toISOString() })
        .execute();
    }
  });

  it('is 503 not_ready when the database is unreachable, and /api/health says degraded', async () => {
    const offline = await appWithoutDatabase();
    try {
      const ready = await offline.app.inject({ url: '/api/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toEqual({
        status: 'not_ready',
        database: 'down',
        migrations: { pending: [], current: null },
      });
      const health = await offline.app.inject({ url: '/api/health' });
      expect(health.statusCode).toBe(503);
      expect(health.json()).toMatchObject({ status: 'degraded', database: { status: 'down' } });
    } finally {
      await offline.close();
    }
  });
});

describe('Prometheus metrics', () => {
  const scrape = (authorization?: string) =>
    t.app.inject({
      url: '/metrics',
      headers: authorization === undefined ? {} : { authorization },
    });

  it('need the METRICS_TOKEN as a Bearer token: none or a wrong one is 401', async () => {
    expect((await scrape()).statusCode).toBe(401);
    expect((await scrape(`Bearer ${METRICS_TOKEN.slice(1)}x`)).statusCode).toBe(401);
    expect((await scrape(METRICS_TOKEN)).statusCode).toBe(401);
    expect((await scrape(`Bearer ${METRICS_TOKEN}`)).statusCode).toBe(200);
  });

  it('are not served at all without METRICS_TOKEN', async () => {
    const plain = await createTestApp({ database: t.database });
    try {
      expect((await plain.app.inject({ url: '/metrics' })).statusCode).toBe(404);
    } finally {
      await plain.close();
    }
  });

  it('time requests per declared route, count redemptions by outcome, and report the pool', async () => {
    const staff = await loggedIn(t.app, (await makeUser(t.db, 'staff')).email);
    const { coupon } = await makeCoupon(t.db);
    expect((await staff.redeem(coupon.code)).status).toBe(201);
    expect((await staff.redeem(coupon.code)).status).toBe(409);
    expect((await staff.redeem('no code at all!')).status).toBe(422);
    await t.app.inject({ url: `/api/coupons/${coupon.code}/qr.svg` });

    const response = await scrape(`Bearer ${METRICS_TOKEN}`);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = response.body;
    expect(text).toMatch(
      /^http_request_duration_seconds_count\{method="POST",route="\/api\/redemptions",status_code="201"\} [1-9]/m,
    );
    // the route as declared, never the code itself
    expect(text).toMatch(/route="\/api\/coupons\/:code\/qr\.svg"/);
    expect(text).not.toContain(coupon.code);
    expect(text).toMatch(/^couponscan_redemptions_total\{outcome="redeemed"\} [1-9]/m);
    expect(text).toMatch(/^couponscan_redemptions_total\{outcome="already_redeemed"\} [1-9]/m);
    expect(text).toMatch(/^couponscan_redemptions_total\{outcome="invalid_code"\} [1-9]/m);
    expect(text).toMatch(/^couponscan_db_pool_connections\{pool="main",state="total"\} [1-9]/m);
    expect(text).toMatch(/^couponscan_db_pool_connections\{pool="main",state="waiting"\} \d/m);
    expect(text).toMatch(/^# TYPE couponscan_job_queue_depth gauge/m);
    expect(text).toMatch(/^# TYPE couponscan_webhook_failures_total counter/m);
  });

  it('report the jobs waiting per queue', async () => {
    await t.app.jobs.boot();
    const campaign = await makeCampaign(t.db);
    const admin = await loggedIn(t.app, (await makeUser(t.db, 'admin')).email);
    // no worker runs in this app: the batch's job waits in its queue
    const batch = await admin.request('POST', `/api/campaigns/${campaign.id}/batches`, {
      count: 20_000,
    });
    expect(batch.status).toBe(202);

    const text = (await scrape(`Bearer ${METRICS_TOKEN}`)).body;

    expect(text).toMatch(/^couponscan_job_queue_depth\{queue="issue_batch"\} 1$/m);
    expect(text).toMatch(/^couponscan_job_queue_depth\{queue="purge_expired_sessions"\} 0$/m);
  });

  it('can be served on a port of their own (METRICS_PORT), GET /metrics only', async () => {
    const server = await startMetricsServer('127.0.0.1', 0, () => undefined);
    try {
      const response = await fetch(server.url);
      expect(response.status).toBe(200);
      expect(await response.text()).toMatch(/^# HELP http_request_duration_seconds/m);
      expect((await fetch(server.url.replace('/metrics', '/api/health'))).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});

describe('security headers', () => {
  function policy(header: string | string[] | number | undefined): Map<string, string[]> {
    return new Map(
      String(header)
        .split(';')
        .map((directive) => directive.trim().split(/\s+/))
        .map(([name = '', ...values]) => [name, values]),
    );
  }

  it('API answers carry the short set for APIs: nothing loads or frames them, nothing stores them', async () => {
    const response = await t.app.inject({ url: '/api/health' });
    expect(response.headers).toMatchObject({
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cross-origin-resource-policy': 'same-origin',
      'cache-control': 'no-store',
    });
    // helmet's page headers are not sent with JSON
    expect(response.headers).not.toHaveProperty('x-dns-prefetch-control');
    expect(response.headers).not.toHaveProperty('origin-agent-cluster');
  });

  it('the set follows the route that answers: an encoded /api path is the API, the reference is pages', async () => {
    const headersOf = async (url: string) => (await t.app.inject({ url })).headers;
    // the router decodes the path: this is GET /api/health
    const encoded = await t.app.inject({ url: '/%61pi/health' });
    expect(encoded.statusCode).toBe(200);
    expect(encoded.headers['cache-control']).toBe('no-store');
    expect(encoded.headers['x-frame-options']).toBe('DENY');
    // an unknown API path, and one that only starts like the reference's
    expect((await headersOf('/api/docsfoo'))['cache-control']).toBe('no-store');
    // the reference's own files (its page's script): the pages' policy, exactly
    const page = await t.app.inject({ url: '/api/docs/' });
    const src = /<script[^>]*\bsrc="([^"]+)"/.exec(page.body)?.[1] ?? '';
    expect(src).not.toBe('');
    const script = await headersOf(new URL(src, 'http://localhost/api/docs/').pathname);
    expect(script['cache-control']).not.toBe('no-store');
    expect(script['x-frame-options']).toBe('SAMEORIGIN');
    expect(policy(script['content-security-policy']).get('script-src')).toEqual(["'self'"]);
  });

  it('pages carry a CSP that allows scripts from this origin only, and no framing', async () => {
    const response = await t.app.inject({ url: '/api/docs/' });
    const csp = policy(response.headers['content-security-policy']);
    expect(csp.get('script-src')?.[0]).toBe("'self'");
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    // the camera's stream and QR images
    expect(csp.get('media-src')).toContain('blob:');
    expect(csp.get('img-src')).toEqual(expect.arrayContaining(['data:', 'blob:']));
    // a plain-HTTP trial on a LAN keeps working
    expect(csp.has('upgrade-insecure-requests')).toBe(false);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
  });

  it('refusals carry the same headers: an unknown path, a malformed body, a missing session', async () => {
    const answers = await Promise.all([
      t.app.inject({ url: '/api/no-such-thing' }),
      t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'content-type': 'application/json' },
        payload: '{"email":',
      }),
      t.app.inject({ url: '/api/campaigns' }),
    ]);
    expect(answers.map((answer) => answer.statusCode)).toEqual([404, 400, 401]);
    for (const answer of answers) {
      expect(policy(answer.headers['content-security-policy']).get('frame-ancestors')).toEqual([
        "'none'",
      ]);
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['cache-control']).toBe('no-store');
    }
  });

  it('HSTS only when cookies are Secure (the site is served over HTTPS)', async () => {
    expect((await t.app.inject({ url: '/api/health' })).headers).not.toHaveProperty(
      'strict-transport-security',
    );
    const secure = await createTestApp({ database: t.database, config: { cookieSecure: true } });
    try {
      const response = await secure.app.inject({ url: '/api/health' });
      expect(response.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
    } finally {
      await secure.close();
    }
  });

  it('the API reference may run exactly its own inline script, by hash', async () => {
    const page = await t.app.inject({ url: '/api/docs/' });
    const inline = /<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/.exec(page.body)?.[1];
    expect(inline).toBeDefined();
    const hash = createHash('sha256')
      .update(inline ?? '')
      .digest('base64');
    const csp = policy(page.headers['content-security-policy']);
    expect(csp.get('script-src')).toEqual(["'self'", `'sha256-${hash}'`]);
  });
});

describe('server timeouts', () => {
  it('a request must arrive within REQUEST_TIMEOUT_SECONDS; an idle connection is closed', () => {
    expect(t.app.server.requestTimeout).toBe(t.config.timeouts.requestMs);
    expect(t.app.initialConfig.connectionTimeout).toBe(t.config.timeouts.connectionMs);
    expect(t.config.timeouts).toEqual({ requestMs: 60_000, connectionMs: 120_000 });
  });
});
