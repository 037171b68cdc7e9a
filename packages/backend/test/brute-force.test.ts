// Brute force: guessing codes and passwords is limited and audited, and an answer
// about a code says nothing about which codes exist.
import { PROBLEM_CONTENT_TYPE, type Problem } from '@couponscan/shared/errors';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestApp } from './helpers/app.ts';

// eslint-disable-next-line @typescript-eslint/unbound-method -- called with apply(this)
const original = pg.Client.prototype.query;
import { loggedIn, makeCampaign, makeStore, makeUser } from './helpers/factories.ts';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({
    config: {
      rateLimit: { lookupsPerMinute: 5, lookupsPerIpPerMinute: 8 },
    },
  });
});
afterAll(() => t.close());

/** A well-formed imported-style code nobody issued. */
const unknownCode = (i: number) => `NOPE${String(i).padStart(8, '0')}`;

describe('code look-ups (GET /api/coupons/:code)', () => {
  it('are limited per user: the sixth guess in a minute answers 429 with Retry-After', async () => {
    const store = await makeStore(t.db);
    const staff = await loggedIn(
      t.app,
      (await makeUser(t.db, 'staff', { storeId: store.id })).email,
    );
    const lookUp = (i: number) =>
      t.app.inject({
        method: 'GET',
        url: `/api/coupons/${unknownCode(i)}`,
        remoteAddress: '192.0.2.50',
        headers: { cookie: staff.cookie },
      });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await lookUp(i)).statusCode);
    expect(statuses).toEqual([404, 404, 404, 404, 404, 429]);
    const limited = await lookUp(99);
    expect(limited.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
    expect(limited.json<Problem>().code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('are limited per IP across users', async () => {
    const ip = '203.0.113.7';
    const answers: number[] = [];
    for (let user = 0; user < 3; user++) {
      const marketer = await loggedIn(t.app, (await makeUser(t.db, 'marketer')).email);
      for (let i = 0; i < 3; i++) {
        const response = await t.app.inject({
          method: 'GET',
          url: `/api/coupons/${unknownCode(i)}`,
          remoteAddress: ip,
          headers: { cookie: marketer.cookie },
        });
        answers.push(response.statusCode);
      }
    }
    // eight per IP, whoever asks
    expect(answers.filter((status) => status === 404)).toHaveLength(8);
    expect(answers.at(-1)).toBe(429);
  });

  it('every look-up leaves a scan row: its user, code and outcome', async () => {
    const marketer = await loggedIn(t.app, (await makeUser(t.db, 'marketer')).email);
    const me = await marketer.request<{ user: { id: string } }>('GET', '/api/auth/me');
    await marketer.request('GET', `/api/coupons/${unknownCode(1)}`);
    await marketer.request('GET', '/api/coupons/AB');
    const scans = await t.db
      .selectFrom('scans')
      .where('user_id', '=', me.body.user.id)
      .select(['kind', 'code', 'outcome'])
      .orderBy('created_at')
      .execute();
    expect(scans).toEqual([
      { kind: 'lookup', code: unknownCode(1), outcome: 'not_found' },
      { kind: 'lookup', code: 'AB', outcome: 'invalid_code' },
    ]);
  });
});

describe('not_found and invalid_code say nothing about which codes exist', () => {
  it('both answers have the same shape, and both paths do the same database work', async () => {
    // every statement any pg client of this process sends, in order
    const statements: string[] = [];
    const query = vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (
      this: pg.Client,
      ...args: unknown[]
    ) {
      const first = args[0];
      const text = typeof first === 'string' ? first : (first as { text?: unknown }).text;
      statements.push(typeof text === 'string' ? text : '');
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    });
    try {
      const store = await makeStore(t.db);
      const staff = await loggedIn(
        t.app,
        (await makeUser(t.db, 'staff', { storeId: store.id })).email,
      );
      const answer = async (method: 'GET' | 'POST', code: string) => {
        statements.length = 0;
        const response =
          method === 'GET'
            ? await staff.request('GET', `/api/coupons/${code}`)
            : await staff.redeem(code);
        return { response, work: [...statements] };
      };
      for (const method of ['GET', 'POST'] as const) {
        // a well-formed code nobody issued, and a generated-looking one with a bad check character
        await answer(method, unknownCode(60)); // warms the session cache of the redemption route
        const notFound = await answer(method, unknownCode(70));
        const invalid = await answer(method, 'ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ');
        expect(notFound.response.status).toBe(404);
        expect(invalid.response.status).toBe(422);
        expect(Object.keys(notFound.response.body as object).sort()).toEqual(
          Object.keys(invalid.response.body as object).sort(),
        );
        expect(Object.keys(notFound.response.headers).sort()).toEqual(
          Object.keys(invalid.response.headers).sort(),
        );
        expect(invalid.work).toEqual(notFound.work);
        expect(notFound.work.length).toBeGreaterThan(0);
      }
    } finally {
      query.mockRestore();
    }
  });
});

describe('login', () => {
  it('is limited per IP across emails, not only per IP and email', async () => {
    const strict = await createTestApp({
      database: t.database,
      config: { rateLimit: { loginPerIpPerMinute: 6 } },
    });
    try {
      await loginGuesses(strict);
    } finally {
      await strict.close();
    }
  });
});

async function loginGuesses(t: TestApp) {
  {
    const ip = '198.51.100.23';
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        remoteAddress: ip,
        payload: { email: `guess-${String(i)}@example.test`, password: 'wrong-password-1' },
      });
      statuses.push(response.statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429]);
    // another address is not affected
    const other = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: '198.51.100.24',
      payload: { email: 'guess@example.test', password: 'wrong-password-1' },
    });
    expect(other.statusCode).toBe(401);
  }
}

describe('imports refuse guessable codes', () => {
  async function upload(csv: string) {
    const marketer = await loggedIn(t.app, (await makeUser(t.db, 'marketer')).email);
    const campaign = await makeCampaign(t.db);
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/campaigns/${campaign.id}/imports`,
      payload: csv,
      headers: { 'content-type': 'text/csv', cookie: marketer.cookie },
    });
    return response.json<Problem & { lines?: { problem: string }[] }>();
  }

  it('a code under 8 characters is refused as too_short', async () => {
    const problem = await upload('code\nABCD1234\nAB12\n');
    expect(problem.code).toBe('import_invalid');
    expect(problem.lines?.map((line) => line.problem)).toEqual(['too_short']);
  });

  it('codes from too small a space (8 digits) are refused with code_space_too_small', async () => {
    const problem = await upload('code\n12345678\n87654321\n');
    expect(problem.status).toBe(422);
    expect(problem.code).toBe('code_space_too_small');
  });

  it('a spreadsheet formula cannot be imported as a code', async () => {
    const problem = await upload('code\n=HYPERLINK(A1)\n+SUM(A1)\n@cmd\n-2+3\n');
    expect(problem.code).toBe('import_invalid');
    expect(problem.lines?.map((line) => line.problem)).toEqual([
      'malformed',
      'malformed',
      'malformed',
      'malformed',
    ]);
  });
});
