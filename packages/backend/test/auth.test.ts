// Login, sessions and logout: an HttpOnly session cookie backed by a revocable sessions row.
import { SESSION_COOKIE } from '@couponscan/shared/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { ApiClient, TEST_PASSWORD, loggedIn, makeUser } from './helpers/factories.ts';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('auth', () => {
  it('login sets an HttpOnly, SameSite session cookie and answers the user', async () => {
    const user = await makeUser(t.db, 'staff', { name: 'Kim Counter' });
    const client = new ApiClient(t.app);
    const response = await client.login(user.email);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      user: { id: user.id, role: 'staff', name: 'Kim Counter', storeId: user.store_id },
      undoWindowMinutes: 10,
    });
    const cookie = response.headers['set-cookie'] ?? '';
    expect(cookie).toContain(`${SESSION_COOKIE}=`);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    const me = await client.request('GET', '/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ user: { id: user.id } });
  });

  it('the email is matched without regard to case or surrounding spaces', async () => {
    const user = await makeUser(t.db, 'marketer', { email: 'Mixed.Case@example.test' });
    const response = await new ApiClient(t.app).login('  mixed.case@EXAMPLE.test ');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ user: { id: user.id } });
  });

  it('an unknown email and a wrong password get the same answer', async () => {
    const user = await makeUser(t.db, 'staff');
    const unknown = await new ApiClient(t.app).login('nobody@example.test', TEST_PASSWORD);
    const wrong = await new ApiClient(t.app).login(user.email, 'wrong-password-123');
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(unknown.body).toMatchObject({ code: 'invalid_credentials' });
  });

  it('a disabled user cannot log in and gets the same answer as a wrong password', async () => {
    const user = await makeUser(t.db, 'staff');
    await t.db
      .updateTable('users')
      .set({ disabled_at: new Date() })
      .where('id', '=', user.id)
      .execute();
    const response = await new ApiClient(t.app).login(user.email);
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ code: 'invalid_credentials' });
  });

  it('logout ends the session at once: the old cookie no longer works', async () => {
    const user = await makeUser(t.db, 'staff');
    const client = await loggedIn(t.app, user.email);
    const oldCookie = client.cookie;
    const logout = await client.request('POST', '/api/auth/logout');
    expect(logout.status).toBe(204);
    expect(logout.headers['set-cookie']).toContain(`${SESSION_COOKIE}=;`);
    const replay = new ApiClient(t.app);
    replay.cookie = oldCookie;
    const me = await replay.request('GET', '/api/auth/me');
    expect(me.status).toBe(401);
    expect(me.body).toMatchObject({ code: 'unauthenticated' });
  });

  it('disabling a user ends their session at once', async () => {
    const user = await makeUser(t.db, 'staff');
    const client = await loggedIn(t.app, user.email);
    await t.db
      .updateTable('users')
      .set({ disabled_at: new Date() })
      .where('id', '=', user.id)
      .execute();
    expect((await client.request('GET', '/api/auth/me')).status).toBe(401);
  });

  it('an expired session is refused', async () => {
    const user = await makeUser(t.db, 'staff');
    const client = await loggedIn(t.app, user.email);
    await t.db
      .updateTable('sessions')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('user_id', '=', user.id)
      .execute();
    expect((await client.request('GET', '/api/auth/me')).status).toBe(401);
  });

  it('a forged cookie is refused; sessions are stored only as hashes', async () => {
    const user = await makeUser(t.db, 'staff');
    const client = await loggedIn(t.app, user.email);
    const token = client.cookie.split('=')[1] ?? '';
    const stored = await t.db
      .selectFrom('sessions')
      .select('id')
      .where('user_id', '=', user.id)
      .execute();
    expect(stored.map((s) => s.id)).not.toContain(token);
    const forged = new ApiClient(t.app);
    forged.cookie = `${SESSION_COOKIE}=${'A'.repeat(43)}`;
    expect((await forged.request('GET', '/api/auth/me')).status).toBe(401);
  });

  it('login attempts beyond the per-minute limit are refused with 429 rate_limited', async () => {
    const limited = await createTestApp({
      database: t.database,
      config: {
        rateLimit: { loginPerMinute: 3, loginPerIpPerMinute: 1000, redemptionsPerMinute: 100 },
      },
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++)
        statuses.push(
          (await new ApiClient(limited.app).login('victim@example.test', 'guess-number-x')).status,
        );
      expect(statuses).toEqual([401, 401, 401, 429]);
      const response = await new ApiClient(limited.app).login(
        'victim@example.test',
        'guess-number-x',
      );
      expect(response.body).toMatchObject({ code: 'rate_limited', status: 429 });
    } finally {
      await limited.close();
    }
  });

  it('a login body with missing fields is a 422 validation_failed naming them', async () => {
    const response = await new ApiClient(t.app).request('POST', '/api/auth/login', {
      email: 'a@b.c',
    });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({
      code: 'validation_failed',
      errors: [{ pointer: '/body/password' }],
    });
  });
});
