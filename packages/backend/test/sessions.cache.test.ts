// The session without a round trip of its own: the redemption route takes the session
// from the process's cache, redeem_coupon() checks it again in the same statement, and every
// instance drops a changed session at once through LISTEN/NOTIFY. Two app instances, one database.
import { once } from 'node:events';
import { SESSION_COOKIE } from '@couponscan/shared/auth';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, poolOf } from '../src/db/database.ts';
import { hashToken } from '../src/modules/auth/auth.service.ts';
import { SessionCache } from '../src/modules/auth/session-cache.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { ApiClient, loggedIn, makeCoupon, makeUser } from './helpers/factories.ts';

let database: TestDatabase;
let first: TestApp;
let second: TestApp;

beforeAll(async () => {
  database = await createTestDatabase(10);
  first = await createTestApp({ database });
  second = await createTestApp({
    database: { ...database, db: createDatabase(database.url, 10), close: () => Promise.resolve() },
  });
  await Promise.all([listeningOf(first), listeningOf(second)]);
});

afterAll(async () => {
  await first.close();
  await second.close();
  await second.db.destroy();
  await database.close();
});

/** Resolves once the instance's cache has its LISTEN connection (it starts when the app is ready). */
async function listeningOf(t: TestApp): Promise<void> {
  if (t.app.sessionCache.active) return;
  await waitFor(t.app.sessionCache.events, 'listening', (listening) => listening === true);
}

/** The next `event` whose first argument passes `match`, or a failure after a generous deadline. */
async function waitFor(
  emitter: NodeJS.EventEmitter,
  event: string,
  match: (value: unknown) => boolean,
): Promise<void> {
  const deadline = AbortSignal.timeout(10_000);
  for (;;) {
    const [value] = (await once(emitter, event, { signal: deadline })) as unknown[];
    if (match(value)) return;
  }
}

function sessionIdOf(client: ApiClient): string {
  const token = client.cookie.slice(`${SESSION_COOKIE}=`.length);
  return hashToken(token);
}

/** The same session (cookie) talking to the other instance. */
function sameSessionOn(t: TestApp, client: ApiClient): ApiClient {
  const other = new ApiClient(t.app);
  other.cookie = client.cookie;
  return other;
}

async function scansOf(couponId: string) {
  return database.db.selectFrom('scans').select('id').where('coupon_id', '=', couponId).execute();
}

describe('the session cache', () => {
  it('a redemption with a cached session takes one round trip to the database', async () => {
    const staff = await loggedIn(first.app, (await makeUser(database.db, 'staff')).email);
    const { coupon: warmUp } = await makeCoupon(database.db, { maxRedemptionsPerCoupon: 2 });
    expect((await staff.redeem(warmUp.code)).status).toBe(201);
    expect(first.app.sessionCache.get(sessionIdOf(staff))).toBeDefined();

    const pool = poolOf(first.db);
    let checkouts = 0;
    const count = () => {
      checkouts += 1;
    };
    pool.on('acquire', count);
    try {
      expect((await staff.redeem(warmUp.code)).status).toBe(201);
    } finally {
      pool.off('acquire', count);
    }
    expect(checkouts).toBe(1);
  });

  it('logging out on one instance stops the next redemption on another that has the session cached', async () => {
    const user = await makeUser(database.db, 'staff');
    const onFirst = await loggedIn(first.app, user.email);
    const onSecond = sameSessionOn(second, onFirst);
    const { coupon: warmUp } = await makeCoupon(database.db);
    expect((await onSecond.redeem(warmUp.code)).status).toBe(201);
    expect(second.app.sessionCache.get(sessionIdOf(onFirst))).toBeDefined();

    expect((await onFirst.request('POST', '/api/auth/logout')).status).toBe(204);
    const { coupon } = await makeCoupon(database.db);
    const refused = await onSecond.redeem(coupon.code);

    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ code: 'unauthenticated' });
    expect(await scansOf(coupon.id)).toHaveLength(0);
  });

  it('disabling a user on one instance stops their next redemption on another that has them cached', async () => {
    const admin = await loggedIn(first.app, (await makeUser(database.db, 'admin')).email);
    const user = await makeUser(database.db, 'staff');
    const onSecond = await loggedIn(second.app, user.email);
    const { coupon: warmUp } = await makeCoupon(database.db);
    expect((await onSecond.redeem(warmUp.code)).status).toBe(201);

    const disabled = await admin.request('PATCH', `/api/users/${user.id}`, { disabled: true });
    expect(disabled.status).toBe(200);
    const { coupon } = await makeCoupon(database.db);
    const refused = await onSecond.redeem(coupon.code);

    expect(refused.status).toBe(401);
    expect(await scansOf(coupon.id)).toHaveLength(0);
    expect((await onSecond.request('GET', '/api/auth/me')).status).toBe(401);
  });

  it('a logout on one instance drops the session from the cache of every other (LISTEN/NOTIFY)', async () => {
    const user = await makeUser(database.db, 'staff');
    const onFirst = await loggedIn(first.app, user.email);
    const onSecond = sameSessionOn(second, onFirst);
    const { coupon } = await makeCoupon(database.db);
    expect((await onSecond.redeem(coupon.code)).status).toBe(201);
    const sessionId = sessionIdOf(onFirst);
    expect(second.app.sessionCache.get(sessionId)).toBeDefined();

    const evicted = waitFor(second.app.sessionCache.events, 'evicted', (id) => id === sessionId);
    await onFirst.request('POST', '/api/auth/logout');
    await evicted;

    expect(second.app.sessionCache.get(sessionId)).toBeUndefined();
  });

  it('a change to a user (here their role) drops all their sessions from every instance', async () => {
    const user = await makeUser(database.db, 'staff');
    const onFirst = await loggedIn(first.app, user.email);
    const onSecond = await loggedIn(second.app, user.email);
    for (const client of [onFirst, onSecond]) {
      const { coupon } = await makeCoupon(database.db);
      expect((await client.redeem(coupon.code)).status).toBe(201);
    }
    const evicted = waitFor(
      second.app.sessionCache.events,
      'evicted',
      (id) => id === sessionIdOf(onSecond),
    );
    await database.db
      .updateTable('users')
      .set({ name: 'Renamed Till' })
      .where('id', '=', user.id)
      .execute();
    await evicted;
    expect(second.app.sessionCache.get(sessionIdOf(onSecond))).toBeUndefined();
  });

  it('routes other than the redemption never answer from the cache', async () => {
    const user = await makeUser(database.db, 'staff');
    const onFirst = await loggedIn(first.app, user.email);
    const onSecond = sameSessionOn(second, onFirst);
    const { coupon } = await makeCoupon(database.db);
    expect((await onSecond.redeem(coupon.code)).status).toBe(201);
    // revoked behind the app's back: no notification is even needed for other routes
    await sql`alter table sessions disable trigger sessions_notify_change`.execute(database.db);
    try {
      await database.db
        .updateTable('sessions')
        .set({ revoked_at: new Date() })
        .where('id', '=', sessionIdOf(onFirst))
        .execute();
      expect((await onSecond.request('GET', '/api/auth/me')).status).toBe(401);
      // and the redemption checks the session in its own statement
      expect((await onSecond.redeem(coupon.code)).status).toBe(401);
    } finally {
      await sql`alter table sessions enable trigger sessions_notify_change`.execute(database.db);
    }
  });
});

describe('SessionCache', () => {
  const staffUser = {
    id: '00000000-0000-0000-0000-000000000001',
    email: 'till@example.test',
    name: 'Till',
    role: 'staff' as const,
    storeId: '00000000-0000-0000-0000-000000000002',
    storeName: 'Store',
    disabled: false,
    createdAt: '2026-11-29T00:00:00.000Z',
    sessionId: 'a-session',
  };

  async function startedCache(now: () => number, ttlMs = 30_000, reconnectMs = 1000) {
    const cache = new SessionCache({
      ttlMs,
      maxEntries: 2,
      connection: { connectionString: database.url },
      now,
      reconnectMs,
    });
    const listening = waitFor(cache.events, 'listening', (value) => value === true);
    await cache.start();
    await listening;
    return cache;
  }

  it('keeps an entry no longer than its bound, nor past the session’s own end', async () => {
    let now = 1_000_000;
    const cache = await startedCache(() => now);
    try {
      cache.set(staffUser, new Date(now + 3_600_000));
      cache.set({ ...staffUser, sessionId: 'ending-soon' }, new Date(now + 5_000));
      now += 5_000;
      expect(cache.get('a-session')).toBeDefined();
      expect(cache.get('ending-soon')).toBeUndefined();
      now += 25_000;
      expect(cache.get('a-session')).toBeUndefined();
    } finally {
      await cache.close();
    }
  });

  it('holds at most maxEntries, dropping the oldest first', async () => {
    const cache = await startedCache(() => 0);
    try {
      const until = new Date(3_600_000);
      cache.set({ ...staffUser, sessionId: 'one' }, until);
      cache.set({ ...staffUser, sessionId: 'two' }, until);
      cache.set({ ...staffUser, sessionId: 'three' }, until);
      expect(cache.size).toBe(2);
      expect(cache.get('one')).toBeUndefined();
      expect(cache.get('three')).toBeDefined();
    } finally {
      await cache.close();
    }
  });

  it('caches nothing while its LISTEN connection is lost, and starts again once it is back', async () => {
    const cache = await startedCache(() => 0, 30_000, 50);
    try {
      cache.set(staffUser, new Date(3_600_000));
      const pid = await cache.listenerPid();
      const lost = waitFor(cache.events, 'listening', (value) => value === false);
      await sql`select pg_terminate_backend(${pid})`.execute(database.db);
      await lost;
      expect(cache.get('a-session')).toBeUndefined();
      cache.set(staffUser, new Date(3_600_000));
      expect(cache.size).toBe(0);

      await waitFor(cache.events, 'listening', (value) => value === true);
      cache.set(staffUser, new Date(3_600_000));
      expect(cache.get('a-session')).toBeDefined();
    } finally {
      await cache.close();
    }
  });

  it('SESSION_CACHE_SECONDS=0 turns it off', async () => {
    const cache = new SessionCache({
      ttlMs: 0,
      maxEntries: 10,
      connection: { connectionString: database.url },
    });
    await cache.start();
    cache.set(staffUser, new Date(Date.now() + 3_600_000));
    expect(cache.active).toBe(false);
    expect(cache.get('a-session')).toBeUndefined();
    await cache.close();
  });
});
