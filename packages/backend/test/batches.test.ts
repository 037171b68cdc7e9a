// Issuing batches: small ones in the request, large ones as a job on pg-boss;
// all or nothing whatever happens to the job; codes distinct, valid and never guessable.
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Batch } from '@couponscan/shared/batches';
import { parseCouponCode, RANDOM_LENGTH } from '@couponscan/shared/code';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { codeDrawer } from '../src/modules/batches/batch-issuing.ts';
import type { IssuingOptions } from '../src/modules/batches/batch-issuing.ts';
import { issueBatchJob } from '../src/modules/batches/batches.jobs.ts';
import { assertCodeSpace, createBatch } from '../src/modules/batches/batches.service.ts';
import type { AuthUser } from '../src/modules/auth/auth.service.ts';
import { lockCampaign, updateCampaign } from '../src/modules/campaigns/campaigns.repository.ts';
import { toUser } from '../src/modules/users/users.mapper.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';
import {
  loggedIn,
  makeCampaign,
  makeCoupon,
  makeUser,
  type ApiClient,
} from './helpers/factories.ts';

let t: TestApp;
let marketer: ApiClient;
let marketerUser: Awaited<ReturnType<typeof makeUser>>;

beforeAll(async () => {
  // the supervisor looks every second, so a dead worker's job is retried soon after its heartbeat
  // (10 s) is missed
  t = await createTestApp({
    config: {
      jobs: {
        poolSize: 3,
        pollingIntervalSeconds: 0.5,
        superviseIntervalSeconds: 1,
        heartbeatSeconds: 10,
        retryDelaySeconds: 0,
      },
    },
  });
  marketerUser = await makeUser(t.db, 'marketer');
  marketer = await loggedIn(t.app, marketerUser.email);
});
const batchJob = (options: IssuingOptions = {}) =>
  issueBatchJob(t.bulkDb, { retryDelaySeconds: 0, heartbeatSeconds: 10, ...options });

afterEach(async () => {
  await t.app.jobs.stop();
  t.app.jobs.handle(batchJob());
});
afterAll(() => t.close());

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 90_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`gave up waiting; last seen ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const batchOf = async (id: string) =>
  (await marketer.request<Batch>('GET', `/api/batches/${id}`)).body;

/** The batch's job as pg-boss keeps it. */
async function jobOf(batchId: string, queue: 'issue_batch' | 'issue_batch_dead' = 'issue_batch') {
  const [job] = await t.app.jobs.boss.findJobs(queue, { data: { batchId } });
  if (job === undefined) throw new Error(`no ${queue} job for batch ${batchId}`);
  return job;
}

function couponsOfCampaign(campaignId: string) {
  return t.db
    .selectFrom('coupons')
    .select(['code', 'batch_id'])
    .where('campaign_id', '=', campaignId)
    .execute();
}

/** A gate a job waits at after a chosen chunk, so a test can look at it mid-way. */
function gateAt(generated: number) {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return {
    open,
    handler: batchJob({
      chunkSize: 2000,
      afterChunk: async (n) => {
        if (n === generated) await opened;
      },
    }),
  };
}

// jobs of tens of thousands of coupons, on a machine that may be busy: generous deadlines
describe('issuing a batch', { timeout: 180_000 }, () => {
  it('up to 10,000 coupons are issued within the request: 201, succeeded, every code valid and prefixed', async () => {
    const campaign = await makeCampaign(t.db);
    const response = await marketer.request<Batch>(
      'POST',
      `/api/campaigns/${campaign.id}/batches`,
      { count: 10_000, prefix: 'spr-ng' },
    );

    expect(response.status).toBe(201);
    expect(response.headers.location).toBe(`/api/batches/${response.body.id}`);
    expect(response.body).toMatchObject({
      status: 'succeeded',
      count: 10_000,
      generated: 10_000,
      prefix: 'SPRNG',
      source: 'generated',
    });
    const coupons = await couponsOfCampaign(campaign.id);
    expect(coupons).toHaveLength(10_000);
    for (const { code, batch_id } of coupons) {
      expect(batch_id).toBe(response.body.id);
      expect(code.startsWith('SPRNG')).toBe(true);
      expect(parseCouponCode(code)).toEqual({ ok: true, kind: 'generated', code });
    }
  });

  it('a batch of 50,000 runs as a job (202) and ends with 50,000 distinct valid codes', async () => {
    const campaign = await makeCampaign(t.db);
    const response = await marketer.request<Batch>(
      'POST',
      `/api/campaigns/${campaign.id}/batches`,
      { count: 50_000 },
    );
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ status: 'queued', generated: 0, count: 50_000 });

    await t.app.jobs.start();
    const done = await until(
      () => batchOf(response.body.id),
      (batch) => batch.status !== 'queued' && batch.status !== 'running',
    );

    expect(done).toMatchObject({ status: 'succeeded', generated: 50_000, error: null });
    const coupons = await couponsOfCampaign(campaign.id);
    expect(coupons).toHaveLength(50_000);
    expect(new Set(coupons.map((c) => c.code)).size).toBe(50_000);
    expect(coupons.every((c) => parseCouponCode(c.code).ok && c.batch_id === done.id)).toBe(true);
    expect(await jobOf(done.id)).toMatchObject({ state: 'completed', retryCount: 0 });
  });

  it('progress moves while the job runs, and no coupon is visible before the batch succeeds', async () => {
    const campaign = await makeCampaign(t.db);
    const gate = gateAt(4000);
    t.app.jobs.handle(gate.handler);
    const { body } = await marketer.request<Batch>(
      'POST',
      `/api/campaigns/${campaign.id}/batches`,
      {
        count: 12_000,
      },
    );
    await t.app.jobs.start();

    const midway = await until(
      () => batchOf(body.id),
      (batch) => batch.generated === 4000,
    );
    expect(midway.status).toBe('running');
    expect(midway.startedAt).not.toBeNull();
    expect(await couponsOfCampaign(campaign.id)).toHaveLength(0);

    gate.open();
    const done = await until(
      () => batchOf(body.id),
      (batch) => batch.status === 'succeeded',
    );
    expect(done.generated).toBe(12_000);
    expect(await couponsOfCampaign(campaign.id)).toHaveLength(12_000);
  });

  it('a drawn code that exists already, or twice in one chunk, is drawn again and never reported', async () => {
    const { coupon: taken, campaign: otherCampaign } = await makeCoupon(t.db);
    const campaign = await makeCampaign(t.db);
    const fresh = codeDrawer();
    const repeated = fresh('');
    let calls = 0;
    // the first draws collide with a coupon in the database and with each other
    const drawCode = (prefix: string) => {
      calls += 1;
      if (calls <= 3) return taken.code;
      if (calls <= 6) return repeated;
      return fresh(prefix);
    };
    const user: AuthUser = {
      ...toUser({ ...marketerUser, store_name: null }),
      sessionId: 'test',
      apiTokenId: null,
    };

    const { batch } = await createBatch(
      t.db,
      { bulk: t.bulkDb, jobs: t.app.jobs },
      user,
      campaign.id,
      { count: 100 },
      {
        drawCode,
      },
    );

    expect(batch.status).toBe('succeeded');
    const coupons = await couponsOfCampaign(campaign.id);
    expect(coupons).toHaveLength(100);
    expect(coupons.map((c) => c.code)).not.toContain(taken.code);
    expect(coupons.filter((c) => c.code === repeated)).toHaveLength(1);
    expect(calls).toBe(100 + 3 + 2);
    const stillThere = await t.db
      .selectFrom('coupons')
      .select(['campaign_id', 'batch_id'])
      .where('code', '=', taken.code)
      .executeTakeFirstOrThrow();
    expect(stillThere).toEqual({ campaign_id: otherCampaign.id, batch_id: null });
  });

  it('a job whose process is killed half-way leaves no coupons, and a restarted worker resumes it', async () => {
    const campaign = await makeCampaign(t.db);
    const { body } = await marketer.request<Batch>(
      'POST',
      `/api/campaigns/${campaign.id}/batches`,
      {
        count: 20_000,
      },
    );
    const worker = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(import.meta.dirname, 'fixtures/batch-worker.ts'),
        t.database.url,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    let output = '';
    worker.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    try {
      const midway = await until(
        () => batchOf(body.id),
        (batch) => batch.generated >= 5000,
      );
      expect(midway.status).toBe('running');
      // the worker's own report of it may reach us a moment after the database row does
      await until(
        () => Promise.resolve(output),
        (text) => text.includes('generated 5000'),
      );
    } finally {
      worker.kill('SIGKILL');
      await exited;
    }
    expect(output).toContain('generated 5000');
    expect(output).not.toContain('done');

    // PostgreSQL rolled the killed job's transaction back: nothing of it is left
    expect(await couponsOfCampaign(campaign.id)).toHaveLength(0);
    expect(
      await t.db.selectFrom('coupons').where('batch_id', '=', body.id).select('id').execute(),
    ).toHaveLength(0);

    // the restarted backend's supervisor sees the job's heartbeat stop, and the job is retried
    await t.app.jobs.start();
    const done = await until(
      () => batchOf(body.id),
      (batch) => batch.status === 'succeeded',
      120_000,
    );
    expect(done.generated).toBe(20_000);
    expect(await couponsOfCampaign(campaign.id)).toHaveLength(20_000);
    expect(await jobOf(body.id)).toMatchObject({ state: 'completed', retryCount: 1 });
  }, 180_000);

  it('a job that fails on every attempt ends failed with a reason, no coupons, and in the dead letter queue', async () => {
    const campaign = await makeCampaign(t.db);
    let attempts = 0;
    t.app.jobs.handle(
      batchJob({
        chunkSize: 2000,
        afterChunk: (generated) => {
          if (generated === 4000) {
            attempts += 1;
            return Promise.reject(new Error('the disk is full'));
          }
          return Promise.resolve();
        },
      }),
    );
    const { body } = await marketer.request<Batch>(
      'POST',
      `/api/campaigns/${campaign.id}/batches`,
      { count: 10_001 },
    );
    await t.app.jobs.start();

    const batch = await until(
      () => batchOf(body.id),
      (b) => b.status === 'failed',
    );
    expect(batch.error).toMatch(/failed on our side/);
    expect(batch.error).not.toMatch(/disk/);
    expect(batch.finishedAt).not.toBeNull();
    expect(attempts).toBe(4);
    expect(await couponsOfCampaign(campaign.id)).toHaveLength(0);
    // the batch is marked failed before the job's last attempt returns to pg-boss: wait for that
    const job = await until(
      () => jobOf(body.id),
      (found) => found.state !== 'active',
    );
    expect(job).toMatchObject({ state: 'failed', retryCount: 3 });
    // pg-boss hands it to the dead letter queue, whose handler leaves the failed batch alone
    const dead = await until(
      () => jobOf(body.id, 'issue_batch_dead'),
      (job) => job.state === 'completed',
    );
    expect(dead.state).toBe('completed');
    expect((await batchOf(body.id)).error).toBe(batch.error);
  });

  it('a batch whose job used its attempts on dying workers ends failed, not running for ever', async () => {
    const campaign = await makeCampaign(t.db);
    const { body } = await marketer.request<Batch>(
      'POST',
      `/api/campaigns/${campaign.id}/batches`,
      { count: 10_001 },
    );
    await t.db
      .updateTable('batches')
      .set({ status: 'running' })
      .where('id', '=', body.id)
      .execute();
    // what pg-boss does with a job whose heartbeat stopped on its last attempt
    await t.app.jobs.send(t.db, 'issue_batch_dead', { batchId: body.id });
    await t.app.jobs.boss.cancel('issue_batch', (await jobOf(body.id)).id);
    await t.app.jobs.start();

    const batch = await until(
      () => batchOf(body.id),
      (b) => b.status !== 'running',
    );
    expect(batch.status).toBe('failed');
    expect(batch.error).toMatch(/stopped before it finished/);
    expect(await couponsOfCampaign(campaign.id)).toHaveLength(0);
  });

  it('a batch cancelled while its job runs ends cancelled with no coupons', async () => {
    const campaign = await makeCampaign(t.db);
    const gate = gateAt(2000);
    t.app.jobs.handle(gate.handler);
    const { body } = await marketer.request<Batch>(
      'POST',
      `/api/campaigns/${campaign.id}/batches`,
      {
        count: 20_000,
      },
    );
    await t.app.jobs.start();
    await until(
      () => batchOf(body.id),
      (batch) => batch.generated === 2000,
    );

    const cancelled = await marketer.request<Batch>('POST', `/api/batches/${body.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    gate.open();

    const job = await until(
      () => jobOf(body.id),
      (row) => row.state !== 'active',
    );
    expect(job.state).toBe('cancelled');
    expect((await batchOf(body.id)).status).toBe('cancelled');
    expect(await couponsOfCampaign(campaign.id)).toHaveLength(0);

    const again = await marketer.request('POST', `/api/batches/${body.id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'conflict' });
  });

  it('stopping the worker rolls the running job back and queues it again; the next start finishes it', async () => {
    const campaign = await makeCampaign(t.db);
    const gate = gateAt(2000);
    t.app.jobs.handle(gate.handler);
    const { body } = await marketer.request<Batch>(
      'POST',
      `/api/campaigns/${campaign.id}/batches`,
      {
        count: 10_500,
      },
    );
    await t.app.jobs.start();
    await until(
      () => batchOf(body.id),
      (batch) => batch.generated === 2000,
    );

    const stopped = t.app.jobs.stop();
    gate.open();
    await stopped;

    expect(await batchOf(body.id)).toMatchObject({ status: 'queued', generated: 0 });
    expect(await couponsOfCampaign(campaign.id)).toHaveLength(0);
    await t.app.jobs.start();
    await until(
      () => batchOf(body.id),
      (batch) => batch.status === 'succeeded',
    );
    expect(await couponsOfCampaign(campaign.id)).toHaveLength(10_500);
  });
});

describe('a campaign archived before its queued batch runs', { timeout: 180_000 }, () => {
  const CLOSED = 'the campaign was archived after this batch was queued; no coupons were issued';

  it('the job judges the campaign again when it runs: the batch fails with the reason and issues nothing', async () => {
    const campaign = await makeCampaign(t.db);
    const { status, body } = await marketer.request<Batch>(
      'POST',
      `/api/campaigns/${campaign.id}/batches`,
      { count: 10_001 },
    );
    expect(status).toBe(202);
    const archived = await marketer.request('PATCH', `/api/campaigns/${campaign.id}`, {
      status: 'archived',
    });
    expect(archived.status).toBe(200);
    await t.app.jobs.start();

    const batch = await until(
      () => batchOf(body.id),
      (b) => b.status !== 'queued' && b.status !== 'running',
    );
    expect(batch).toMatchObject({ status: 'failed', error: CLOSED });
    expect(batch.finishedAt).not.toBeNull();
    expect(await couponsOfCampaign(campaign.id)).toHaveLength(0);
  });

  it('a job that starts while the archive is in flight waits for it (the in-request lock) and then issues nothing', async () => {
    const campaign = await makeCampaign(t.db);
    const { body } = await marketer.request<Batch>(
      'POST',
      `/api/campaigns/${campaign.id}/batches`,
      { count: 10_001 },
    );
    // the archive as updateCampaign does it, not yet committed
    const archive = await t.db.startTransaction().execute();
    await lockCampaign(archive, campaign.id);
    await updateCampaign(archive, campaign.id, { status: 'archived' });
    await t.app.jobs.start();
    // the job's transaction waits for the archive's row lock (without its own lock it would read
    // the campaign as still active, and insert its coupons once the archive commits)
    await until(
      async () => {
        const { rows } = await sql<{ waiting: number }>`
          select count(*)::int as waiting from pg_stat_activity
           where datname = current_database() and wait_event_type = 'Lock'`.execute(t.db);
        return rows[0]?.waiting ?? 0;
      },
      (waiting) => waiting > 0,
    );
    await archive.commit().execute();

    const batch = await until(
      () => batchOf(body.id),
      (b) => b.status !== 'queued' && b.status !== 'running',
    );
    expect(batch).toMatchObject({ status: 'failed', error: CLOSED });
    expect(await couponsOfCampaign(campaign.id)).toHaveLength(0);
  });
});

describe('the code space', () => {
  it('a million coupons of 19 random characters are far below one chance in a billion', () => {
    expect(() => {
      assertCodeSpace(1_000_000, 50_000_000);
    }).not.toThrow();
    expect(RANDOM_LENGTH).toBe(19);
  });

  it('a code space where one guess could hit with a chance of one in a billion is refused with code_space_too_small', () => {
    // 32^8 ≈ 1.1e12 codes: 1,000 valid ones are a chance of 9.1e-10, 1,100 of 1.0e-9
    expect(() => {
      assertCodeSpace(1000, 0, 8);
    }).not.toThrow();
    expect(() => {
      assertCodeSpace(1000, 100, 8);
    }).toThrow(expect.objectContaining({ status: 422, code: 'code_space_too_small' }));
  });
});

describe('what is refused', () => {
  it('staff cannot issue or read batches (403), nobody without a session (401)', async () => {
    const campaign = await makeCampaign(t.db);
    const staff = await loggedIn(t.app, (await makeUser(t.db, 'staff')).email);
    const anonymous = await loggedIn(t.app, (await makeUser(t.db, 'admin')).email);
    anonymous.cookie = '';
    for (const [client, status, code] of [
      [staff, 403, 'forbidden'],
      [anonymous, 401, 'unauthenticated'],
    ] as const) {
      const post = await client.request('POST', `/api/campaigns/${campaign.id}/batches`, {
        count: 1,
      });
      expect(post.status).toBe(status);
      expect(post.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(post.body).toMatchObject({ code });
      const list = await client.request('GET', `/api/campaigns/${campaign.id}/batches`);
      expect(list.status).toBe(status);
    }
  });

  it('an admin may issue a batch, and lists it with the campaign', async () => {
    const campaign = await makeCampaign(t.db);
    const admin = await loggedIn(t.app, (await makeUser(t.db, 'admin')).email);
    const created = await admin.request<Batch>('POST', `/api/campaigns/${campaign.id}/batches`, {
      count: 3,
    });
    expect(created.status).toBe(201);
    const listed = await admin.request<{ items: Batch[] }>(
      'GET',
      `/api/campaigns/${campaign.id}/batches`,
    );
    expect(listed.body.items.map((b) => b.id)).toEqual([created.body.id]);
  });

  it('a count of 0 or above 1,000,000 is refused with 422 validation_failed', async () => {
    const campaign = await makeCampaign(t.db);
    for (const count of [0, 1_000_001, 2.5]) {
      const response = await marketer.request('POST', `/api/campaigns/${campaign.id}/batches`, {
        count,
      });
      expect(response.status).toBe(422);
      expect(response.body).toMatchObject({
        code: 'validation_failed',
        errors: [expect.objectContaining({ pointer: '/body/count' })],
      });
    }
  });

  it('a prefix with letters that are easily misread is refused with 422 and says which', async () => {
    const campaign = await makeCampaign(t.db);
    const response = await marketer.request('POST', `/api/campaigns/${campaign.id}/batches`, {
      count: 5,
      prefix: 'LOUD',
    });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({
      code: 'validation_failed',
      errors: [{ pointer: '/body/prefix', message: expect.stringMatching(/found L, O, U/) }],
    });
  });

  it('an unknown campaign is 404, an archived one 409, an unknown batch 404', async () => {
    const archived = await makeCampaign(t.db, { status: 'archived' });
    const missing = '00000000-0000-4000-8000-000000000000';
    expect(
      (await marketer.request('POST', `/api/campaigns/${missing}/batches`, { count: 1 })).body,
    ).toMatchObject({ status: 404, code: 'not_found' });
    expect(
      (await marketer.request('POST', `/api/campaigns/${archived.id}/batches`, { count: 1 })).body,
    ).toMatchObject({ status: 409, code: 'conflict' });
    expect((await marketer.request('GET', `/api/batches/${missing}`)).body).toMatchObject({
      status: 404,
      code: 'not_found',
    });
    expect((await marketer.request('POST', `/api/batches/${missing}/cancel`)).status).toBe(404);
  });
});
