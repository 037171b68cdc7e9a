// /api/users: admins create, list and change users. Staff belong to exactly one store; disabling a
// user or changing their password ends their sessions at once.
import type { User } from '@couponscan/shared/auth';
import type { Page } from '@couponscan/shared/common';
import type { Problem } from '@couponscan/shared/errors';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { ApiClient, TEST_PASSWORD, loggedIn, makeStore, makeUser } from './helpers/factories.ts';

let t: TestApp;
let admin: ApiClient;

beforeAll(async () => {
  t = await createTestApp();
  admin = await loggedIn(t.app, (await makeUser(t.db, 'admin')).email);
});
afterAll(() => t.close());

let serial = 0;
function newUserBody(overrides: Record<string, unknown> = {}) {
  serial += 1;
  return {
    email: `person-${serial}-${Date.now()}@example.test`,
    name: `Person ${serial}`,
    password: 'a-long-password',
    role: 'marketer',
    ...overrides,
  };
}

function pointers(body: Problem): string[] {
  return (body.errors ?? []).map((e) => e.pointer);
}

describe('creating users', () => {
  it('an admin creates a staff member in a store: 201, and the new user can log in', async () => {
    const store = await makeStore(t.db, 'Lindenstrasse');
    const body = newUserBody({ role: 'staff', storeId: store.id, name: '  Kim Counter ' });
    const response = await admin.request<User>('POST', '/api/users', body);
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      email: body.email,
      name: 'Kim Counter',
      role: 'staff',
      storeId: store.id,
      storeName: 'Lindenstrasse',
      disabled: false,
    });
    expect(response.body).not.toHaveProperty('password');
    expect(response.body).not.toHaveProperty('passwordHash');

    const login = await new ApiClient(t.app).login(body.email, body.password);
    expect(login.status).toBe(200);
  });

  it('the password is stored only as a scrypt hash', async () => {
    const body = newUserBody();
    const response = await admin.request<User>('POST', '/api/users', body);
    const row = await t.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', response.body.id)
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^scrypt\$/);
    expect(row.password_hash).not.toContain(body.password);
  });

  it('staff without a storeId are refused with 422 validation_failed', async () => {
    const response = await admin.request<Problem>(
      'POST',
      '/api/users',
      newUserBody({ role: 'staff' }),
    );
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'validation_failed' });
    expect(pointers(response.body)).toEqual(['/body/storeId']);
  });

  it.each(['marketer', 'admin'])(
    'a %s with a storeId is refused with 422 validation_failed',
    async (role) => {
      const store = await makeStore(t.db);
      const response = await admin.request<Problem>(
        'POST',
        '/api/users',
        newUserBody({ role, storeId: store.id }),
      );
      expect(response.status).toBe(422);
      expect(response.body).toMatchObject({ code: 'validation_failed' });
      expect(pointers(response.body)).toEqual(['/body/storeId']);
    },
  );

  it('staff in a store that does not exist are refused with 422 validation_failed', async () => {
    const response = await admin.request<Problem>(
      'POST',
      '/api/users',
      newUserBody({ role: 'staff', storeId: randomUUID() }),
    );
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'validation_failed' });
    expect(pointers(response.body)).toEqual(['/body/storeId']);
  });

  it('an email that exists already, in any case, is refused with 409 conflict', async () => {
    const existing = await makeUser(t.db, 'marketer', { email: 'taken.address@example.test' });
    const response = await admin.request<Problem>(
      'POST',
      '/api/users',
      newUserBody({ email: 'Taken.Address@EXAMPLE.test' }),
    );
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ code: 'conflict' });
    const rows = await t.db
      .selectFrom('users')
      .select('id')
      .where((eb) => eb(eb.fn('lower', ['email']), '=', 'taken.address@example.test'))
      .execute();
    expect(rows.map((row) => row.id)).toEqual([existing.id]);
  });

  it.each([
    ['a password under 10 characters', { password: 'short' }, '/body/password'],
    ['an email that is not one', { email: 'not-an-email' }, '/body/email'],
    ['an unknown role', { role: 'owner' }, '/body/role'],
    ['a name of only spaces', { name: '   ' }, '/body/name'],
    ['an unknown field', { nickname: 'x' }, '/body/nickname'],
  ])('a user with %s is refused with 422 validation_failed', async (_, overrides, pointer) => {
    const response = await admin.request<Problem>('POST', '/api/users', newUserBody(overrides));
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'validation_failed' });
    expect(pointers(response.body)).toContain(pointer);
  });
});

describe('changing users', () => {
  it('an admin renames a user', async () => {
    const user = await makeUser(t.db, 'marketer');
    const response = await admin.request<User>('PATCH', `/api/users/${user.id}`, {
      name: 'New Name',
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: user.id, name: 'New Name', role: 'marketer' });
  });

  it('changing staff to marketer clears their store', async () => {
    const user = await makeUser(t.db, 'staff');
    expect(user.store_id).not.toBeNull();
    const response = await admin.request<User>('PATCH', `/api/users/${user.id}`, {
      role: 'marketer',
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ role: 'marketer', storeId: null, storeName: null });
  });

  it('changing a marketer to staff without a store is refused with 422 validation_failed', async () => {
    const user = await makeUser(t.db, 'marketer');
    const response = await admin.request<Problem>('PATCH', `/api/users/${user.id}`, {
      role: 'staff',
    });
    expect(response.status).toBe(422);
    expect(pointers(response.body)).toEqual(['/body/storeId']);
    const row = await t.db
      .selectFrom('users')
      .select('role')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.role).toBe('marketer');
  });

  it('staff move to another store when given its storeId', async () => {
    const user = await makeUser(t.db, 'staff');
    const other = await makeStore(t.db, 'Other Store');
    const response = await admin.request<User>('PATCH', `/api/users/${user.id}`, {
      storeId: other.id,
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ storeId: other.id, storeName: 'Other Store' });
  });

  it('a new password ends that user’s sessions; the new password logs in, the old one not', async () => {
    const user = await makeUser(t.db, 'staff');
    const client = await loggedIn(t.app, user.email);
    const bystander = await loggedIn(t.app, (await makeUser(t.db, 'staff')).email);

    const response = await admin.request('PATCH', `/api/users/${user.id}`, {
      password: 'a-brand-new-password',
    });
    expect(response.status).toBe(200);

    const me = await client.request<Problem>('GET', '/api/auth/me');
    expect(me.status).toBe(401);
    expect(me.body).toMatchObject({ code: 'unauthenticated' });
    expect((await bystander.request('GET', '/api/auth/me')).status).toBe(200);
    expect((await new ApiClient(t.app).login(user.email, TEST_PASSWORD)).status).toBe(401);
    expect((await new ApiClient(t.app).login(user.email, 'a-brand-new-password')).status).toBe(200);
  });

  it('disabling a user ends their session at once and login then fails with invalid_credentials', async () => {
    const user = await makeUser(t.db, 'staff');
    const client = await loggedIn(t.app, user.email);

    const response = await admin.request<User>('PATCH', `/api/users/${user.id}`, {
      disabled: true,
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ disabled: true });

    const me = await client.request<Problem>('GET', '/api/auth/me');
    expect(me.status).toBe(401);
    expect(me.headers['content-type']).toContain('application/problem+json');
    expect(me.body).toMatchObject({ code: 'unauthenticated' });
    const login = await new ApiClient(t.app).login(user.email);
    expect(login.status).toBe(401);
    expect(login.body).toMatchObject({ code: 'invalid_credentials' });
  });

  it('enabling a disabled user lets them log in again', async () => {
    const user = await makeUser(t.db, 'marketer');
    await admin.request('PATCH', `/api/users/${user.id}`, { disabled: true });
    const response = await admin.request<User>('PATCH', `/api/users/${user.id}`, {
      disabled: false,
    });
    expect(response.body).toMatchObject({ disabled: false });
    expect((await new ApiClient(t.app).login(user.email)).status).toBe(200);
  });

  it('changing a user that does not exist answers 404 not_found', async () => {
    const response = await admin.request('PATCH', `/api/users/${randomUUID()}`, { name: 'x' });
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ code: 'not_found' });
  });

  it('an id that is not a uuid is refused with 422 validation_failed', async () => {
    const response = await admin.request<Problem>('PATCH', '/api/users/42', { name: 'x' });
    expect(response.status).toBe(422);
    expect(pointers(response.body)).toContain('/params/id');
  });

  it('an empty change is refused with 422 validation_failed', async () => {
    const user = await makeUser(t.db, 'marketer');
    const response = await admin.request('PATCH', `/api/users/${user.id}`, {});
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'validation_failed' });
  });
});

describe('listing users', () => {
  it('walking the pages with the cursor gives every user exactly once, newest first', async () => {
    const sameInstant = '2031-05-04T03:02:01.654321Z';
    const store = await makeStore(t.db);
    await t.db
      .insertInto('users')
      .values(
        Array.from({ length: 4 }, (_, i) => ({
          email: `same-instant-${i}@example.test`,
          name: `Same ${i}`,
          role: 'staff' as const,
          store_id: store.id,
          password_hash: 'scrypt$unused',
          created_at: sameInstant,
        })),
      )
      .execute();
    for (let i = 0; i < 3; i++) await makeUser(t.db, 'marketer');
    const expected = await t.db
      .selectFrom('users')
      .select('id')
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();

    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const page = await admin.request<Page<User>>('GET', `/api/users?limit=2${query}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      ids.push(...page.body.items.map((user) => user.id));
      cursor = page.body.nextCursor;
    } while (cursor !== null && ids.length <= expected.length);

    expect(ids).toEqual(expected.map((row) => row.id));
  });

  it('a tampered cursor is refused with 422 validation_failed', async () => {
    const cursor = Buffer.from('["yesterday","x"]').toString('base64url');
    const response = await admin.request<Problem>('GET', `/api/users?cursor=${cursor}`);
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'validation_failed' });
    expect(pointers(response.body)).toEqual(['/querystring/cursor']);
  });
});
