// API tokens: an admin creates a named token bound to a role (staff of a store, or marketer); its
// secret is shown once and stored as a SHA-256 hash; a till sends it as `Authorization: Bearer …`
// and is authorised and rate-limited like a person with that role; revoking refuses its very next
// request, on every instance. Real PostgreSQL, real HTTP.
import { createHash, randomBytes } from 'node:crypto';
import type { ApiToken, CreatedApiToken } from '@couponscan/shared/api-tokens';
import type { User } from '@couponscan/shared/auth';
import type { Page } from '@couponscan/shared/common';
import type { Problem } from '@couponscan/shared/errors';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, poolOf } from '../src/db/database.ts';
import { createTestApp, listen, type TestApp } from './helpers/app.ts';
import { startBackendProcess } from './helpers/backend-process.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import {
  ApiClient,
  loggedIn,
  makeCoupon,
  makeStore,
  makeUser,
  TEST_PASSWORD,
  type ApiResponse,
} from './helpers/factories.ts';

/** A till: every request carries the token, and never a cookie. */
class TokenClient extends ApiClient {
  constructor(
    target: FastifyInstance | string,
    private readonly authorization: string,
  ) {
    super(target);
  }

  override request<T = Record<string, unknown>>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    return super.request<T>(method, url, body, { authorization: this.authorization, ...headers });
  }
}

function till(target: FastifyInstance | string, secret: string): TokenClient {
  return new TokenClient(target, `Bearer ${secret}`);
}

let database: TestDatabase;
let t: TestApp;
/** A second instance on the same database, with a session cache of its own. */
let other: TestApp;
let url: string;
let admin: ApiClient;
let store: { id: string; name: string };

beforeAll(async () => {
  database = await createTestDatabase(10);
  t = await createTestApp({ database });
  other = await createTestApp({
    database: { ...database, db: createDatabase(database.url, 5), close: () => Promise.resolve() },
  });
  url = await listen(t.app);
  admin = await loggedIn(url, (await makeUser(t.db, 'admin')).email);
  store = await makeStore(t.db, 'Hafenstrasse');
  for (const instance of [t, other]) {
    if (!instance.app.sessionCache.active) {
      await new Promise<void>((resolve) => {
        instance.app.sessionCache.events.once('listening', () => {
          resolve();
        });
      });
    }
  }
}, 60_000);

afterAll(async () => {
  await other.close();
  await other.db.destroy();
  await t.close();
  await database.close();
});

let serial = 0;
async function createToken(
  body: Record<string, unknown> = {},
  by: ApiClient = admin,
): Promise<CreatedApiToken> {
  serial += 1;
  const response = await by.request<CreatedApiToken>('POST', '/api/api-tokens', {
    name: `Till ${serial}`,
    role: 'staff',
    storeId: store.id,
    ...body,
  });
  expect(response.status).toBe(201);
  return response.body;
}

async function tokenRow(id: string) {
  return t.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function scansOf(couponId: string) {
  return t.db.selectFrom('scans').select('id').where('coupon_id', '=', couponId).execute();
}

function expectProblem(response: ApiResponse, status: number, code: string): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ status, code });
}

describe('creating a token', () => {
  it('answers 201 with the secret once, cs_live_ and 43 characters, not to be cached', async () => {
    const response = await admin.request<CreatedApiToken>('POST', '/api/api-tokens', {
      name: '  Till 1, Hafenstrasse ',
      role: 'staff',
      storeId: store.id,
    });
    expect(response.status).toBe(201);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body.secret).toMatch(/^cs_live_[A-Za-z0-9_-]{43}$/);
    expect(response.body.token).toMatchObject({
      name: 'Till 1, Hafenstrasse',
      role: 'staff',
      storeId: store.id,
      storeName: 'Hafenstrasse',
      prefix: response.body.secret.slice(0, 12),
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(response.body.token).not.toHaveProperty('secret');
  });

  it('stores only the SHA-256 of the secret, and no column holds the secret', async () => {
    const { token, secret } = await createToken();
    const row = await tokenRow(token.id);
    expect(row.secret_hash).toBe(createHash('sha256').update(secret).digest('hex'));
    const user = await t.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', token.userId)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify([row, user])).not.toContain(secret.slice(12));
  });

  it('staff need a store, marketers have none, the store must exist: 422 at /body/storeId', async () => {
    for (const body of [
      { role: 'staff', storeId: null },
      { role: 'marketer', storeId: store.id },
      { role: 'staff', storeId: '00000000-0000-4000-8000-000000000000' },
    ]) {
      const response = await admin.request<Problem>('POST', '/api/api-tokens', {
        name: 'Refused',
        ...body,
      });
      expectProblem(response, 422, 'validation_failed');
      expect(response.body.errors?.map((e) => e.pointer)).toEqual(['/body/storeId']);
    }
  });

  it('a token never has the role admin: 422 validation_failed', async () => {
    const response = await admin.request('POST', '/api/api-tokens', {
      name: 'Root',
      role: 'admin',
    });
    expectProblem(response, 422, 'validation_failed');
  });

  it('only admins manage tokens: a marketer session and a staff token get 403', async () => {
    const marketer = await loggedIn(url, (await makeUser(t.db, 'marketer')).email);
    const { secret } = await createToken();
    for (const client of [marketer, till(url, secret)]) {
      expectProblem(
        await client.request('POST', '/api/api-tokens', { name: 'x', role: 'marketer' }),
        403,
        'forbidden',
      );
      expectProblem(await client.request('GET', '/api/api-tokens'), 403, 'forbidden');
    }
  });
});

describe('listing tokens', () => {
  it('lists tokens newest first with their prefix and creator, never their secrets', async () => {
    const first = await createToken({ name: 'Listed A' });
    const second = await createToken({ name: 'Listed B', role: 'marketer', storeId: null });
    const response = await admin.request<Page<ApiToken>>('GET', '/api/api-tokens?limit=500');
    expect(response.status).toBe(200);
    const names = response.body.items.map((token) => token.name);
    expect(names.indexOf('Listed B')).toBeLessThan(names.indexOf('Listed A'));
    const listed = response.body.items.find((token) => token.id === second.token.id);
    expect(listed).toMatchObject({
      role: 'marketer',
      storeId: null,
      prefix: 'cs_live_' + second.secret.slice(8, 12),
    });
    expect(listed?.createdByName).toEqual(expect.any(String));
    const text = JSON.stringify(response.body);
    for (const { secret } of [first, second]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.slice(12));
    }
  });

  it("the tokens' users are not people: not in /api/users, and PATCH finds none", async () => {
    const { token } = await createToken();
    const users = await admin.request<Page<User>>('GET', '/api/users?limit=500');
    expect(users.body.items.map((user) => user.id)).not.toContain(token.userId);
    const patch = await admin.request('PATCH', `/api/users/${token.userId}`, { role: 'admin' });
    expectProblem(patch, 404, 'not_found');
  });

  it("no password logs in as a token's user", async () => {
    const { token } = await createToken();
    const { email } = await t.db
      .selectFrom('users')
      .select('email')
      .where('id', '=', token.userId)
      .executeTakeFirstOrThrow();
    for (const password of [TEST_PASSWORD, 'api-token: no password']) {
      expectProblem(await new ApiClient(url).login(email, password), 401, 'invalid_credentials');
    }
  });
});

describe('using a token', () => {
  it('a staff token redeems in its store as Bearer; the ledger names the token; last use is recorded', async () => {
    const { token, secret } = await createToken({ name: 'Till 7' });
    const { coupon } = await makeCoupon(t.db);
    expect((await tokenRow(token.id)).last_used_at).toBeNull();

    const response = await till(url, secret).redeem(coupon.code);

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      outcome: 'redeemed',
      redemption: { storeId: store.id, userId: token.userId, userName: 'Till 7' },
    });
    expect((await tokenRow(token.id)).last_used_at).toBeInstanceOf(Date);
    const listed = await admin.request<Page<ApiToken>>('GET', '/api/api-tokens?limit=500');
    expect(listed.body.items.find((item) => item.id === token.id)?.lastUsedAt).toEqual(
      expect.any(String),
    );
  });

  it('last use is written at most once a minute: the next cached redemption takes one round trip', async () => {
    const { token, secret } = await createToken();
    const client = till(t.app, secret);
    const { coupon: first } = await makeCoupon(t.db);
    expect((await client.redeem(first.code)).status).toBe(201);
    const lastUsed = (await tokenRow(token.id)).last_used_at;
    expect(lastUsed).toBeInstanceOf(Date);

    // the first redemption's announcement to the live feed uses the pool too: let it finish
    await t.app.ledgerAnnouncer.drain();
    const pool = poolOf(t.db);
    let checkouts = 0;
    const count = () => {
      checkouts += 1;
    };
    pool.on('acquire', count);
    try {
      // a refusal, so that nothing but the redemption itself talks to the database (a success is
      // also announced to the live feed, on a connection of its own)
      const again = await client.redeem(first.code);
      expect(again.body).toMatchObject({ code: 'already_redeemed' });
    } finally {
      pool.off('acquire', count);
    }
    expect(checkouts).toBe(1);
    expect((await tokenRow(token.id)).last_used_at).toEqual(lastUsed);
  });

  it('a staff token redeems only in its own store: 403 for another', async () => {
    const { secret } = await createToken();
    const elsewhere = await makeStore(t.db);
    const { coupon } = await makeCoupon(t.db);
    const response = await till(url, secret).redeem(coupon.code, undefined, {
      storeId: elsewhere.id,
    });
    expectProblem(response, 403, 'forbidden');
  });

  it('a marketer token cannot redeem (403) but reads what marketers read', async () => {
    const { secret } = await createToken({ role: 'marketer', storeId: null });
    const client = till(url, secret);
    const { coupon } = await makeCoupon(t.db);
    expectProblem(await client.redeem(coupon.code), 403, 'forbidden');
    expect(await scansOf(coupon.id)).toHaveLength(0);
    expect((await client.request('GET', '/api/campaigns')).status).toBe(200);
    expectProblem(await client.request('GET', '/api/users'), 403, 'forbidden');
  });

  it('a wrong, garbled or other-scheme Authorization is 401 problem+json, even next to a valid cookie', async () => {
    const { secret } = await createToken();
    const staff = await loggedIn(url, (await makeUser(t.db, 'staff')).email);
    const { coupon } = await makeCoupon(t.db);
    const wrongs = [
      `Bearer cs_live_${randomBytes(32).toString('base64url')}`,
      `Bearer ${secret.slice(0, -1)}`,
      `Bearer ${secret}x`,
      'Bearer',
      'Bearer ',
      `Basic ${Buffer.from(`till:${secret}`).toString('base64')}`,
      `Bearer ${secret.replace('cs_live_', 'cs_test_')}`,
      'Bearer \u00e9\u00e9\u00e9',
    ];
    for (const authorization of wrongs) {
      const client = new TokenClient(url, authorization);
      const response = await client.redeem(coupon.code);
      expectProblem(response, 401, 'unauthenticated');
      expect((response.body as Problem).detail).toMatch(/API token is not valid/);
      // the cookie does not rescue a request whose token is wrong
      const withCookie = await staff.request('GET', '/api/auth/me', undefined, { authorization });
      expectProblem(withCookie, 401, 'unauthenticated');
    }
    expect(await scansOf(coupon.id)).toHaveLength(0);
  });

  it('a staff token is rate-limited like staff, per token', async () => {
    const limited = await createTestApp({
      database,
      config: { rateLimit: { redemptionsPerMinute: 2 } },
    });
    try {
      const one = till(limited.app, (await createToken()).secret);
      const two = till(limited.app, (await createToken()).secret);
      const person = await loggedIn(
        limited.app,
        (await makeUser(t.db, 'staff', { storeId: store.id })).email,
      );
      for (const client of [person, one, two]) {
        const statuses: number[] = [];
        for (let i = 0; i < 3; i++) {
          const { coupon } = await makeCoupon(t.db);
          const response = await client.redeem(coupon.code);
          statuses.push(response.status);
          if (response.status === 429) expectProblem(response, 429, 'rate_limited');
        }
        expect(statuses).toEqual([201, 201, 429]);
      }
    } finally {
      await limited.close();
    }
  });

  it('a bearer request from another site is not judged by origin, unless it carries a cookie too', async () => {
    const { secret } = await createToken();
    const evil = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };
    const { coupon } = await makeCoupon(t.db);
    expect((await till(url, secret).redeem(coupon.code)).status).toBe(201);
    const crossSite = await till(url, secret).request(
      'POST',
      '/api/redemptions',
      { code: (await makeCoupon(t.db)).coupon.code },
      { ...evil, 'idempotency-key': randomBytes(8).toString('hex') },
    );
    expect(crossSite.status).toBe(201);

    const staff = await loggedIn(url, (await makeUser(t.db, 'staff', { storeId: store.id })).email);
    const { coupon: other } = await makeCoupon(t.db);
    const both = await staff.request(
      'POST',
      '/api/redemptions',
      { code: other.code },
      { ...evil, authorization: `Bearer ${secret}`, 'idempotency-key': 'both-credentials-1' },
    );
    expectProblem(both, 403, 'cross_site_request');
    expect(await scansOf(other.id)).toHaveLength(0);
  });
});

describe('revoking a token', () => {
  it('revoked: the very next request is 401 problem+json, cached redemption and plain read alike', async () => {
    const { token, secret } = await createToken();
    const client = till(url, secret);
    const { coupon: warmUp } = await makeCoupon(t.db);
    expect((await client.redeem(warmUp.code)).status).toBe(201);

    const revoked = await admin.request<ApiToken>('POST', `/api/api-tokens/${token.id}/revoke`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));

    const { coupon } = await makeCoupon(t.db);
    expectProblem(await client.redeem(coupon.code), 401, 'unauthenticated');
    expectProblem(await client.request('GET', '/api/auth/me'), 401, 'unauthenticated');
    expect(await scansOf(coupon.id)).toHaveLength(0);
  });

  it('revoked on one instance: the next redemption on another that has the token cached is refused', async () => {
    const { token, secret } = await createToken();
    const onOther = till(other.app, secret);
    const { coupon: warmUp } = await makeCoupon(t.db);
    expect((await onOther.redeem(warmUp.code)).status).toBe(201);
    const key = `api-token:${createHash('sha256').update(secret).digest('hex')}`;
    expect(other.app.sessionCache.get(key)).toBeDefined();

    // hold back the other instance's notification: its cache still has the token
    const evictUser = other.app.sessionCache.evictUser.bind(other.app.sessionCache);
    other.app.sessionCache.evictUser = () => undefined;
    try {
      expect((await admin.request('POST', `/api/api-tokens/${token.id}/revoke`)).status).toBe(200);
      expect(other.app.sessionCache.get(key)).toBeDefined();
      const { coupon } = await makeCoupon(t.db);
      const refused = await onOther.redeem(coupon.code);
      expectProblem(refused, 401, 'unauthenticated');
      expect(await scansOf(coupon.id)).toHaveLength(0);
    } finally {
      other.app.sessionCache.evictUser = evictUser;
    }
  });

  it('revoked on one instance: every other drops it from its cache (LISTEN/NOTIFY)', async () => {
    const { token, secret } = await createToken();
    const { coupon } = await makeCoupon(t.db);
    expect((await till(other.app, secret).redeem(coupon.code)).status).toBe(201);
    const key = `api-token:${createHash('sha256').update(secret).digest('hex')}`;
    expect(other.app.sessionCache.get(key)).toBeDefined();

    const evicted = new Promise<void>((resolve) => {
      const listener = (id: string) => {
        if (id === key) {
          other.app.sessionCache.events.off('evicted', listener);
          resolve();
        }
      };
      other.app.sessionCache.events.on('evicted', listener);
    });
    await admin.request('POST', `/api/api-tokens/${token.id}/revoke`);
    await evicted;
    expect(other.app.sessionCache.get(key)).toBeUndefined();
  });

  it('revoking again changes nothing (200, same time); an unknown token is 404', async () => {
    const { token } = await createToken();
    const first = await admin.request<ApiToken>('POST', `/api/api-tokens/${token.id}/revoke`);
    const again = await admin.request<ApiToken>('POST', `/api/api-tokens/${token.id}/revoke`);
    expect(again.status).toBe(200);
    expect(again.body.revokedAt).toBe(first.body.revokedAt);
    expectProblem(
      await admin.request('POST', '/api/api-tokens/00000000-0000-4000-8000-000000000000/revoke'),
      404,
      'not_found',
    );
  });

  it('in the database: revoking disables the user, and neither is undone by plain SQL', async () => {
    const { token } = await createToken();
    await t.db
      .updateTable('api_tokens')
      .set({ revoked_at: new Date() })
      .where('id', '=', token.id)
      .execute();
    const user = await t.db
      .selectFrom('users')
      .select('disabled_at')
      .where('id', '=', token.userId)
      .executeTakeFirstOrThrow();
    expect(user.disabled_at).toBeInstanceOf(Date);

    await expect(
      sql`update users set disabled_at = null where id = ${token.userId}`.execute(t.db),
    ).rejects.toMatchObject({ code: '23514' });
    await expect(
      sql`update api_tokens set revoked_at = null where id = ${token.id}`.execute(t.db),
    ).rejects.toMatchObject({ code: '23514' });
  });
});

describe('the live feed', () => {
  it(
    'a marketer token keeps its stream open past a session check, and revoking it ends the stream',
    { timeout: 120_000 },
    async () => {
      const { token, secret } = await createToken({ role: 'marketer', storeId: null });
      const abort = new AbortController();
      const response = await fetch(`${url}/api/stats/stream`, {
        headers: { authorization: `Bearer ${secret}`, accept: 'text/event-stream' },
        signal: abort.signal,
      });
      expect(response.status).toBe(200);
      const reader: ReadableStreamDefaultReader<Uint8Array> | undefined =
        response.body?.getReader();
      if (reader === undefined) throw new Error('no body');
      const decoder = new TextDecoder();
      let text = '';
      /** Reads until `done(text)` or the end of the stream; true when the server ended it. */
      const readUntil = async (done: (received: string) => boolean): Promise<boolean> => {
        while (!done(text)) {
          const chunk = await reader.read();
          if (chunk.done) return true;
          text += decoder.decode(chunk.value, { stream: true });
        }
        return false;
      };
      try {
        // each heartbeat checks the caller again: two pings mean the first check let the token be
        expect(await readUntil((received) => received.split(': ping').length > 2)).toBe(false);
        expect((await admin.request('POST', `/api/api-tokens/${token.id}/revoke`)).status).toBe(
          200,
        );
        expect(await readUntil(() => false)).toBe(true);
      } finally {
        abort.abort();
      }
    },
  );
});

describe('logs', () => {
  it(
    'the secret never appears in the server log, even at trace level',
    { timeout: 120_000 },
    async () => {
      const logged = await createTestDatabase(4);
      const backend = await startBackendProcess({ DATABASE_URL: logged.url, LOG_LEVEL: 'trace' });
      try {
        const loggedAdmin = await loggedIn(backend.url, (await makeUser(logged.db, 'admin')).email);
        const logStore = await makeStore(logged.db);
        const created = await loggedAdmin.request<CreatedApiToken>('POST', '/api/api-tokens', {
          name: 'Logged till',
          role: 'staff',
          storeId: logStore.id,
        });
        expect(created.status).toBe(201);
        const { secret, token } = created.body;
        const client = till(backend.url, secret);
        const { coupon } = await makeCoupon(logged.db);
        expect((await client.redeem(coupon.code)).status).toBe(201);
        // a malformed request and a refused one are logged too
        expect(
          (
            await client.request(
              'POST',
              '/api/redemptions',
              { code: 1 },
              { 'idempotency-key': 'k-1' },
            )
          ).status,
        ).toBe(422);
        expect((await client.request('GET', '/api/users')).status).toBe(403);
        expect(
          (await loggedAdmin.request('POST', `/api/api-tokens/${token.id}/revoke`)).status,
        ).toBe(200);
        expect((await client.request('GET', '/api/auth/me')).status).toBe(401);

        const output = backend.output();
        expect(output).toContain('/api/redemptions');
        expect(output).not.toContain(secret.slice(12));
      } finally {
        await backend.stop();
        await logged.close();
      }
    },
  );
});
