// The job queue: pg-boss, composed in app.ts with a handler for every kind of
// job; jobs exist only if the transaction that sent them commits; scheduled clean-ups keep
// sessions and idempotency keys from growing without bound.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertEveryJobHandled,
  JOB_NAMES,
  type JobDefinition,
} from '../src/modules/jobs/job-queue.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { makeCampaign, makeUser } from './helpers/factories.ts';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`gave up waiting; last seen ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const noop = (name: (typeof JOB_NAMES)[number]): JobDefinition<never> => ({
  name,
  run: () => Promise.resolve(),
});

describe('composing the job queue', () => {
  it('the app refuses to start when a kind of job has no handler, and names it', () => {
    const all = JOB_NAMES.map(noop);
    expect(() => {
      assertEveryJobHandled(all);
    }).not.toThrow();
    expect(() => {
      assertEveryJobHandled(all.filter((d) => d.name !== 'purge_expired_sessions'));
    }).toThrow(/without a handler: purge_expired_sessions/);
    expect(() => {
      assertEveryJobHandled([...all, noop('issue_batch')]);
    }).toThrow(/two handlers/);
  });

  it('every kind of job has its queue in pg-boss, and finished jobs are deleted after a while', async () => {
    for (const name of JOB_NAMES) {
      const queue = await t.app.jobs.boss.getQueue(name);
      expect(queue, name).not.toBeNull();
      expect(queue?.deleteAfterSeconds, name).toBeGreaterThan(0);
    }
  });

  it('a job sent in a transaction that rolls back does not exist', async () => {
    const campaign = await makeCampaign(t.db);
    const user = await makeUser(t.db, 'marketer');
    const marker = randomBytes(6).toString('hex');
    await expect(
      t.db.transaction().execute(async (trx) => {
        const batch = await trx
          .insertInto('batches')
          .values({ campaign_id: campaign.id, count: 20_000, created_by: user.id })
          .returning('id')
          .executeTakeFirstOrThrow();
        await t.app.jobs.send(trx, 'issue_batch', { batchId: batch.id, marker });
        // not visible outside the transaction before it commits
        expect(await t.app.jobs.boss.findJobs('issue_batch', { data: { marker } })).toHaveLength(0);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await t.app.jobs.boss.findJobs('issue_batch', { data: { marker } })).toHaveLength(0);
  });
});

describe('scheduled clean-ups', () => {
  it('starting the workers schedules the clean-ups (hourly, in UTC)', async () => {
    await t.app.jobs.start();
    try {
      const schedules = await t.app.jobs.boss.getSchedules();
      const byName = new Map(schedules.map((s) => [s.name, s]));
      for (const name of ['purge_expired_sessions', 'purge_expired_idempotency_keys']) {
        expect(byName.get(name)?.cron, name).toMatch(/^\d+ \* \* \* \*$/);
        expect(byName.get(name)?.timezone, name).toBe('UTC');
      }
    } finally {
      await t.app.jobs.stop();
    }
  });

  it('sessions that ended over a day ago are deleted; live and recently ended ones stay', async () => {
    const user = await makeUser(t.db, 'staff');
    const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000);
    const session = (id: string, expiresAt: Date, revokedAt: Date | null = null) => ({
      id,
      user_id: user.id,
      expires_at: expiresAt,
      revoked_at: revokedAt,
    });
    const tag = randomBytes(4).toString('hex');
    await t.db
      .insertInto('sessions')
      .values([
        session(`${tag}-live`, hoursAgo(-5)),
        session(`${tag}-expired-lately`, hoursAgo(2)),
        session(`${tag}-expired-long-ago`, hoursAgo(30)),
        session(`${tag}-revoked-long-ago`, hoursAgo(-5), hoursAgo(48)),
      ])
      .execute();

    await t.app.jobs.send(t.db, 'purge_expired_sessions', {});
    await t.app.jobs.start();
    try {
      const left = await until(
        () =>
          t.db
            .selectFrom('sessions')
            .select('id')
            .where('id', 'like', `${tag}-%`)
            .orderBy('id')
            .execute(),
        (rows) => rows.length === 2,
      );
      expect(left.map((r) => r.id)).toEqual([`${tag}-expired-lately`, `${tag}-live`]);
    } finally {
      await t.app.jobs.stop();
    }
  });

  it('idempotency keys past their expiry are deleted; the others stay', async () => {
    const user = await makeUser(t.db, 'staff');
    const key = (k: string, expiresAt: Date) => ({
      user_id: user.id,
      key: k,
      request_hash: 'x',
      response_body: null,
      expires_at: expiresAt,
    });
    await t.db
      .insertInto('idempotency_keys')
      .values([key('fresh', new Date(Date.now() + 3600_000)), key('stale', new Date(0))])
      .execute();

    await t.app.jobs.send(t.db, 'purge_expired_idempotency_keys', {});
    await t.app.jobs.start();
    try {
      const left = await until(
        () =>
          t.db
            .selectFrom('idempotency_keys')
            .select('key')
            .where('user_id', '=', user.id)
            .execute(),
        (rows) => rows.length === 1,
      );
      expect(left).toEqual([{ key: 'fresh' }]);
    } finally {
      await t.app.jobs.stop();
    }
  });
});
