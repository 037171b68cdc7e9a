// Rate limits shared across instances: with REDIS_URL the counters live in Redis
// (the real one on 127.0.0.1:6379, under a key prefix of this run's own), so two app instances
// count the same attempts; login is limited per IP and email, and per IP alone. Without Redis the
// counters stay in memory, and the start-up log says so.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { createTestApp, testConfig, type TestApp } from './helpers/app.ts';
import { ApiClient, makeUser } from './helpers/factories.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';

// CI containers reach their Redis service by name; everywhere else it is this machine's
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
let database: TestDatabase;
const apps: TestApp[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  for (const t of apps) await t.close();
  await database.close();
});

/** Two instances of the app on one database and one Redis, with a key prefix of their own. */
async function twoInstances(limits: { loginPerMinute: number; loginPerIpPerMinute: number }) {
  const redisKeyPrefix = `couponscan-test-${randomBytes(6).toString('hex')}:`;
  const make = () =>
    createTestApp({
      database,
      config: {
        redisUrl: REDIS_URL,
        redisKeyPrefix,
        rateLimit: { ...limits, redemptionsPerMinute: 1000 },
      },
    });
  const pair = [await make(), await make()] as const;
  apps.push(...pair);
  return pair;
}

async function loginStatus(t: TestApp, email: string): Promise<number> {
  return (await new ApiClient(t.app).login(email, 'a-wrong-password')).status;
}

// each test builds two apps and hashes passwords: generous on a busy machine
describe('with REDIS_URL', { timeout: 120_000 }, () => {
  it('two instances share one count of logins per IP and email: the fourth attempt is 429 on either', async () => {
    const [a, b] = await twoInstances({ loginPerMinute: 3, loginPerIpPerMinute: 100 });
    const email = `victim-${randomBytes(3).toString('hex')}@example.test`;

    const statuses = [
      await loginStatus(a, email),
      await loginStatus(b, email),
      await loginStatus(a, email),
      await loginStatus(b, email),
      await loginStatus(a, email),
    ];

    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const refused = await new ApiClient(b.app).login(email, 'a-wrong-password');
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ status: 429, code: 'rate_limited' });
    // another email from the same address is still let through
    expect(await loginStatus(a, `other-${email}`)).toBe(401);
  });

  it('one IP trying many emails is stopped by the per-IP limit, across instances', async () => {
    const [a, b] = await twoInstances({ loginPerMinute: 3, loginPerIpPerMinute: 5 });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const email = `spray-${String(i)}-${randomBytes(3).toString('hex')}@example.test`;
      statuses.push(await loginStatus(i % 2 === 0 ? a : b, email));
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
  });

  it('a right password is not refused while under the limits, on either instance', async () => {
    const [a, b] = await twoInstances({ loginPerMinute: 3, loginPerIpPerMinute: 5 });
    const user = await makeUser(database.db, 'staff');
    expect(await loginStatus(a, user.email)).toBe(401);
    expect((await new ApiClient(b.app).login(user.email)).status).toBe(200);
  });
});

describe('without REDIS_URL', () => {
  it('counters stay in memory and the start-up log says so', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const app = await buildApp({
      config: testConfig({ redisUrl: null }),
      db: database.db,
      logger: { level: 'info', stream },
    });
    try {
      await app.ready();
      expect(lines.join('')).toMatch(/rate limits are counted in memory/);
    } finally {
      await app.close();
    }
  });
});
