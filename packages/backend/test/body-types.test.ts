// JSON bodies are validated as sent: a value of the wrong JSON type is 422 validation_failed,
// never quietly converted (src/plugins/validation.ts). Querystrings, path parameters and headers,
// text by nature, keep being read as the types their schemas name.
import { PROBLEM_CONTENT_TYPE, type Problem } from '@couponscan/shared/errors';
import { Type } from '@sinclair/typebox';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validationOptions } from '../src/plugins/validation.ts';
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
let staff: ApiClient;
let marketer: ApiClient;
let admin: ApiClient;

beforeAll(async () => {
  t = await createTestApp();
  const store = await makeStore(t.db);
  staff = await loggedIn(t.app, (await makeUser(t.db, 'staff', { storeId: store.id })).email);
  marketer = await loggedIn(t.app, (await makeUser(t.db, 'marketer')).email);
  admin = await loggedIn(t.app, (await makeUser(t.db, 'admin')).email);
});
afterAll(() => t.close());

/** Sends `payload` byte for byte: `1e309` is not something JSON.stringify can write. */
async function sendRaw(
  client: ApiClient,
  method: 'POST' | 'PATCH',
  url: string,
  payload: string,
  headers: Record<string, string> = {},
) {
  const response = await t.app.inject({
    method,
    url,
    headers: { cookie: client.cookie, 'content-type': 'application/json', ...headers },
    payload,
  });
  return {
    status: response.statusCode,
    contentType: response.headers['content-type'],
    problem: response.json<Problem>(),
  };
}

/** A 422 validation_failed whose errors name `pointer` with `message`. */
function expectRefusedAt(
  answer: Awaited<ReturnType<typeof sendRaw>>,
  pointer: string,
  message: string,
): void {
  expect(answer.status, JSON.stringify(answer.problem)).toBe(422);
  expect(answer.contentType).toContain(PROBLEM_CONTENT_TYPE);
  expect(answer.problem.code).toBe('validation_failed');
  expect(answer.problem.errors).toContainEqual({ pointer, message });
}

async function rowCounts() {
  const count = (table: 'scans' | 'idempotency_keys' | 'transactions') =>
    t.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow()
      .then((row) => Number(row.n));
  return {
    scans: await count('scans'),
    idempotencyKeys: await count('idempotency_keys'),
    ledger: await count('transactions'),
  };
}

describe('POST /api/redemptions takes the code as a JSON string only', () => {
  it.each([
    ['a number', '{"code":12345}'],
    ['true', '{"code":true}'],
    ['null', '{"code":null}'],
    ['an array', '{"code":["A"]}'],
    ['a number too large for a double (1e309)', '{"code":1e309}'],
  ])(
    'a code sent as %s is refused with 422 at /body/code, and leaves no scan and no idempotency key',
    async (_what, payload) => {
      const before = await rowCounts();
      const answer = await sendRaw(staff, 'POST', '/api/redemptions', payload, {
        'idempotency-key': crypto.randomUUID(),
      });
      expectRefusedAt(answer, '/body/code', 'must be string');
      expect(await rowCounts()).toEqual(before);
    },
  );

  it('a real code wrapped in an array is refused, and the coupon stays unredeemed', async () => {
    const { coupon } = await makeCoupon(t.db);
    const before = await rowCounts();
    const answer = await sendRaw(
      staff,
      'POST',
      '/api/redemptions',
      JSON.stringify({ code: [coupon.code] }),
      { 'idempotency-key': crypto.randomUUID() },
    );
    expectRefusedAt(answer, '/body/code', 'must be string');
    expect(await rowCounts()).toEqual(before);
    const after = await t.db
      .selectFrom('coupons')
      .select('redemption_count')
      .where('id', '=', coupon.id)
      .executeTakeFirstOrThrow();
    expect(after.redemption_count).toBe(0);
  });

  it('the same code as a string is redeemed (the rule is the type, not the route)', async () => {
    const { coupon } = await makeCoupon(t.db);
    const answer = await staff.redeem(coupon.code);
    expect(answer.status).toBe(201);
  });
});

describe('numbers in bodies are JSON numbers', () => {
  const campaignsNamed = (name: string) =>
    t.db.selectFrom('campaigns').select('id').where('name', '=', name).execute();

  it.each(['10', '1e309'])(
    'a discount value sent as the string "%s" is refused with 422 and creates no campaign',
    async (value) => {
      const name = `String discount ${value}`;
      const answer = await sendRaw(
        marketer,
        'POST',
        '/api/campaigns',
        JSON.stringify({ name, discount: { type: 'percent', value } }),
      );
      expectRefusedAt(answer, '/body/discount/value', 'must be number or null');
      expect(await campaignsNamed(name)).toEqual([]);
    },
  );

  it('a refused union says it once, in words that help: the type wanted, the allowed values, or the rule broken', async () => {
    const errorsFor = async (discount: unknown) => {
      const answer = await sendRaw(
        marketer,
        'POST',
        '/api/campaigns',
        JSON.stringify({ name: 'Union errors', discount }),
      );
      expect(answer.status).toBe(422);
      return answer.problem.errors;
    };
    expect(await errorsFor({ type: 'percent', value: '10' })).toEqual([
      { pointer: '/body/discount/value', message: 'must be number or null' },
    ]);
    expect(await errorsFor({ type: 'percent', value: -5 })).toEqual([
      { pointer: '/body/discount/value', message: 'must be > 0' },
    ]);
    expect(await errorsFor({ type: 'bogus', value: 10 })).toEqual([
      {
        pointer: '/body/discount/type',
        message: 'must be one of: "percent", "fixed_amount", "free_item"',
      },
    ]);
  });

  it('a discount value changed to a string is refused, and the stored one stays', async () => {
    const campaign = await makeCampaign(t.db);
    const answer = await sendRaw(
      marketer,
      'PATCH',
      `/api/campaigns/${campaign.id}`,
      JSON.stringify({ discount: { type: 'percent', value: '20' } }),
    );
    expectRefusedAt(answer, '/body/discount/value', 'must be number or null');
    const stored = await t.db
      .selectFrom('campaigns')
      .select('discount_value')
      .where('id', '=', campaign.id)
      .executeTakeFirstOrThrow();
    expect(Number(stored.discount_value)).toBe(Number(campaign.discount_value));
  });

  it.each(['10', '1e309'])(
    'a count sent as the string "%s" issues nothing, on coupons and on batches',
    async (count) => {
      const campaign = await makeCampaign(t.db);
      for (const path of ['coupons', 'batches']) {
        const answer = await sendRaw(
          marketer,
          'POST',
          `/api/campaigns/${campaign.id}/${path}`,
          JSON.stringify({ count }),
        );
        expectRefusedAt(answer, '/body/count', 'must be integer');
      }
      expect(
        await t.db.selectFrom('coupons').where('campaign_id', '=', campaign.id).execute(),
      ).toEqual([]);
    },
  );

  it('a literal 1e309 (a JSON number) is refused as not finite', async () => {
    const campaign = await makeCampaign(t.db);
    const answer = await sendRaw(
      marketer,
      'POST',
      `/api/campaigns/${campaign.id}/coupons`,
      '{"count":1e309}',
    );
    expectRefusedAt(answer, '/body/count', 'must be a finite number');
  });

  it('the count as a number is issued', async () => {
    const campaign = await makeCampaign(t.db);
    const answer = await marketer.request('POST', `/api/campaigns/${campaign.id}/coupons`, {
      count: 2,
    });
    expect(answer.status).toBe(201);
  });
});

describe('booleans and arrays in bodies are not made from other types', () => {
  it('disabled: "true" is refused and the user stays enabled', async () => {
    const user = await makeUser(t.db, 'staff');
    const answer = await sendRaw(
      admin,
      'PATCH',
      `/api/users/${user.id}`,
      JSON.stringify({ disabled: 'true' }),
    );
    expectRefusedAt(answer, '/body/disabled', 'must be boolean');
    const stored = await t.db
      .selectFrom('users')
      .select('disabled_at')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(stored.disabled_at).toBeNull();
  });

  it('storeIds as one id rather than a list is refused', async () => {
    const store = await makeStore(t.db);
    const answer = await sendRaw(
      marketer,
      'POST',
      '/api/campaigns',
      JSON.stringify({
        name: 'One store, not a list',
        discount: { type: 'percent', value: 10 },
        storeIds: store.id,
      }),
    );
    expectRefusedAt(answer, '/body/storeIds', 'must be array');
  });
});

describe('querystrings, params and headers keep being read as their types', () => {
  it('?limit=1 is the number 1 on a list', async () => {
    await makeCampaign(t.db);
    await makeCampaign(t.db);
    const answer = await marketer.request<{ items: unknown[]; nextCursor: string | null }>(
      'GET',
      '/api/campaigns?limit=1',
    );
    expect(answer.status).toBe(200);
    expect(answer.body.items).toHaveLength(1);
    expect(answer.body.nextCursor).not.toBeNull();
  });

  it('?limit=ten is still refused at /querystring/limit', async () => {
    const answer = await marketer.request<Problem>('GET', '/api/campaigns?limit=ten');
    expect(answer.status).toBe(422);
    expect(answer.body.errors?.[0]?.pointer).toBe('/querystring/limit');
  });

  it('a header schema written with capitals still matches the lowercased request headers', async () => {
    // no route of the app declares one today; this keeps what Fastify does for its own compiler
    const app = Fastify(validationOptions());
    app.post(
      '/echo',
      {
        schema: {
          headers: Type.Object({ 'X-Till-Number': Type.Integer({ minimum: 1 }) }),
          body: Type.Object({ count: Type.Integer() }),
        },
      },
      (request) => ({ till: request.headers['x-till-number'], body: request.body }),
    );
    try {
      const ok = await app.inject({
        method: 'POST',
        url: '/echo',
        headers: { 'x-till-number': '7' },
        payload: { count: 3 },
      });
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toEqual({ till: 7, body: { count: 3 } });
      const missing = await app.inject({ method: 'POST', url: '/echo', payload: { count: 3 } });
      expect(missing.statusCode).toBe(400);
      expect(missing.json<{ message: string }>().message).toContain('x-till-number');
    } finally {
      await app.close();
    }
  });
});
