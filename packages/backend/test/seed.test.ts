// What a fresh database starts with: the first admin from ADMIN_EMAIL/ADMIN_PASSWORD (only into an
// empty users table), and SEED_DEMO's demo store, users and campaign (idempotent).
import { parseCouponCode } from '@couponscan/shared/code';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_CAMPAIGN,
  DEMO_PASSWORD,
  DEMO_USERS,
  ensureFirstAdmin,
  seedDemo,
} from '../src/db/seed.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { ApiClient, makeUser } from './helpers/factories.ts';

const admin = { email: 'first.admin@example.test', password: 'first-admin-password' };

describe('ensureFirstAdmin', () => {
  let database: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase(4);
    t = await createTestApp({ database });
  });
  afterAll(async () => {
    await t.close();
    await database.close();
  });

  it('without ADMIN_EMAIL/ADMIN_PASSWORD no admin is created', async () => {
    expect(await ensureFirstAdmin(t.db, null)).toBe(false);
    const users = await t.db.selectFrom('users').select('id').execute();
    expect(users).toHaveLength(0);
  });

  it('into an empty users table the admin is created, and can log in', async () => {
    expect(await ensureFirstAdmin(t.db, admin)).toBe(true);
    const login = await new ApiClient(t.app).login(admin.email, admin.password);
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ user: { email: admin.email, role: 'admin' } });
  });

  it('once there are users, no further admin is created', async () => {
    expect(await ensureFirstAdmin(t.db, { ...admin, email: 'second.admin@example.test' })).toBe(
      false,
    );
    const users = await t.db.selectFrom('users').select('email').execute();
    expect(users).toEqual([{ email: admin.email }]);
  });

  it('a users table that holds anyone at all gets no admin', async () => {
    const other = await createTestDatabase(2);
    try {
      await makeUser(other.db, 'staff');
      expect(await ensureFirstAdmin(other.db, admin)).toBe(false);
      const admins = await other.db
        .selectFrom('users')
        .select('id')
        .where('role', '=', 'admin')
        .execute();
      expect(admins).toHaveLength(0);
    } finally {
      await other.close();
    }
  });
});

describe('seedDemo', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ poolSize: 4 });
  });
  afterAll(() => t.close());

  it('run twice, it leaves one DEMO store, three users, one demo campaign with 5 coupons', async () => {
    const first = await seedDemo(t.db);
    const second = await seedDemo(t.db);

    expect(first).toHaveLength(5);
    expect([...second].sort()).toEqual([...first].sort());
    for (const code of first) expect(parseCouponCode(code)).toMatchObject({ ok: true });

    const stores = await t.db.selectFrom('stores').select(['id', 'code']).execute();
    expect(stores.map((s) => s.code)).toEqual(['DEMO']);
    const users = await t.db
      .selectFrom('users')
      .select(['email', 'role', 'store_id'])
      .orderBy('email')
      .execute();
    expect(users).toEqual(
      [...DEMO_USERS]
        .sort((a, b) => a.email.localeCompare(b.email))
        .map((u) => ({
          email: u.email,
          role: u.role,
          store_id: u.role === 'staff' ? stores[0]?.id : null,
        })),
    );
    const campaigns = await t.db.selectFrom('campaigns').select(['id', 'name']).execute();
    expect(campaigns.map((c) => c.name)).toEqual([DEMO_CAMPAIGN]);
    const coupons = await t.db.selectFrom('coupons').select('campaign_id').execute();
    expect(coupons).toHaveLength(5);
  });

  it('the demo staff member logs in with demo-password and can redeem a demo coupon', async () => {
    const codes = await seedDemo(t.db);
    const staff = new ApiClient(t.app);
    const login = await staff.login('staff@example.com', DEMO_PASSWORD);
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ user: { role: 'staff' } });
    const redeemed = await staff.redeem(codes[0] ?? '');
    expect(redeemed.status).toBe(201);
    // a used demo coupon is no longer offered
    expect(await seedDemo(t.db)).not.toContain(codes[0]);
  });
});
