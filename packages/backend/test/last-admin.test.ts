// Someone must always be able to administer couponscan.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { loggedIn, makeUser } from './helpers/factories.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

it('the last active admin cannot disable themselves or be demoted; with a second admin they can', async () => {
  await t.db
    .updateTable('users')
    .set({ disabled_at: new Date() })
    .where('role', '=', 'admin')
    .execute();
  const only = await makeUser(t.db, 'admin');
  const admin = await loggedIn(t.app, only.email);

  const disable = await admin.request('PATCH', `/api/users/${only.id}`, { disabled: true });
  expect(disable.status).toBe(409);
  expect((disable.body as { code: string }).code).toBe('last_admin');
  const demote = await admin.request('PATCH', `/api/users/${only.id}`, { role: 'marketer' });
  expect(demote.status).toBe(409);
  expect((await admin.request('GET', '/api/auth/me')).status).toBe(200);

  const second = await makeUser(t.db, 'admin');
  expect((await admin.request('PATCH', `/api/users/${second.id}`, { disabled: true })).status).toBe(
    200,
  );
  // the second is disabled now, so the first is the last one again
  expect((await admin.request('PATCH', `/api/users/${only.id}`, { role: 'marketer' })).status).toBe(
    409,
  );
  await admin.request('PATCH', `/api/users/${second.id}`, { disabled: false });
  expect((await admin.request('PATCH', `/api/users/${only.id}`, { role: 'marketer' })).status).toBe(
    200,
  );
});
