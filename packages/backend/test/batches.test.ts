// Issuing batches (issue 4): small ones in the request, large ones as a job on the PostgreSQL
// queue; all or nothing whatever happens to the job; codes distinct, valid and never guessable.
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Batch } from '@couponscan/shared/batches';
import { parseCouponCode, RANDOM_LENGTH } from '@couponscan/shared/code';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { codeDrawer } from '../src/modules/batches/batch-issuing.ts';
import {
  assertCodeSpace,
  createBatch,
  ISSUE_BATCH_JOB,
  issueBatchJob,
} from '../src/modules/batches/batches.service.ts';
import type { AuthUser } from '../src/modules/auth/auth.service.ts';
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
  t = await createTestApp();
  marketerUser = await makeUser(t.db, 'marketer');
  marketer = await loggedIn(t.app, marketerUser.email);
});
afterEach(async () => {
  await t.app.jobs.stop();
  t.app.jobs.handle(ISSUE_BATCH_JOB, issueBatchJob());
});
afterAll(() => t.close());

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 20_000) {
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
    handler: issueBatchJob({
      chunkSize: 2000,
      afterChunk: async (n) => {
        if (n === generated) await opened;
      },
    }),
  };
}

describe('issuing a batch', () => {
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

    t.app.jobs.start();
    const done = await until(
      () => batchOf(response.body.id),
      (batch) => batch.status !== 'queued' && batch.status !== 'running',
    );

    expect(done).toMatchObject({ status: 'succeeded', generated: 50_000, error: null });
    const coupons = await couponsOfCampaign(campaign.id);
    expect(coupons).toHaveLength(50_000);
    expect(new Set(coupons.map((c) => c.code)).size).toBe(50_000);
    expect(coupons.every((c) => parseCouponCode(c.code).ok && c.batch_id === done.id)).toBe(true);
    const job = await t.db.selectFrom('jobs').selectAll().orderBy('id', 'desc').executeTakeFirst();
    expect(job).toMatchObject({ status: 'succeeded', attempts: 1, locked_by: null });
  });

  it('progress moves while the job runs, and no coupon is visible before the batch succeeds', async () => {
    const campaign = await makeCampaign(t.db);
    const gate = gateAt(4000);
    t.app.jobs.handle(ISSUE_BATCH_JOB, gate.handler);
    const { body } = await marketer.request<Batch>(
      'POST',
      `/api/campaigns/${campaign.id}/batches`,
      {
        count: 12_000,
      },
    );
    t.app.jobs.start();

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
    };

    const { batch } = await createBatch(
      t.db,
      t.app.jobs,
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

    // the restarted backend finds the job running but unlocked, and puts it back
    await until(
      () => t.app.jobs.releaseAbandoned(0),
      (released) => released === 1,
    );
    expect(await batchOf(body.id)).toMatchObject({ status: 'queued', generated: 0 });
    expect(await t.app.jobs.runNext()).toBe(true);

    expect(await batchOf(body.id)).toMatchObject({ status: 'succeeded', generated: 20_000 });
    expect(await couponsOfCampaign(campaign.id)).toHaveLength(20_000);
    const job = await t.db
      .selectFrom('jobs')
      .selectAll()
      .where('payload', '@>', JSON.stringify({ batchId: body.id }))
      .executeTakeFirstOrThrow();
    expect(job).toMatchObject({ status: 'succeeded', attempts: 2 });
  });

  it('a job that keeps dying is failed cleanly once it has used its attempts', async () => {
    const campaign = await makeCampaign(t.db);
    const { body } = await marketer.request<Batch>(
      'POST',
      `/api/campaigns/${campaign.id}/batches`,
      {
        count: 10_001,
      },
    );
    await t.db
      .updateTable('jobs')
      .set({ status: 'running', attempts: 3, locked_by: 'a dead worker', locked_at: new Date(0) })
      .where('payload', '@>', JSON.stringify({ batchId: body.id }))
      .execute();
    await t.db
      .updateTable('batches')
      .set({ status: 'running' })
      .where('id', '=', body.id)
      .execute();

    expect(await t.app.jobs.releaseAbandoned()).toBe(1);

    const batch = await batchOf(body.id);
    expect(batch.status).toBe('failed');
    expect(batch.error).toMatch(/stopped before it finished/);
    expect(batch.finishedAt).not.toBeNull();
    expect(await couponsOfCampaign(campaign.id)).toHaveLength(0);
  });

  it('a batch cancelled while its job runs ends cancelled with no coupons', async () => {
    const campaign = await makeCampaign(t.db);
    const gate = gateAt(2000);
    t.app.jobs.handle(ISSUE_BATCH_JOB, gate.handler);
    const { body } = await marketer.request<Batch>(
      'POST',
      `/api/campaigns/${campaign.id}/batches`,
      {
        count: 20_000,
      },
    );
    t.app.jobs.start();
    await until(
      () => batchOf(body.id),
      (batch) => batch.generated === 2000,
    );

    const cancelled = await marketer.request<Batch>('POST', `/api/batches/${body.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    gate.open();

    const job = await until(
      () =>
        t.db
          .selectFrom('jobs')
          .selectAll()
          .where('payload', '@>', JSON.stringify({ batchId: body.id }))
          .executeTakeFirstOrThrow(),
      (row) => row.status !== 'running',
    );
    expect(job.status).toBe('cancelled');
    expect((await batchOf(body.id)).status).toBe('cancelled');
    expect(await couponsOfCampaign(campaign.id)).toHaveLength(0);

    const again = await marketer.request('POST', `/api/batches/${body.id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'conflict' });
  });

  it('stopping the worker rolls the running job back and queues it again; the next start finishes it', async () => {
    const campaign = await makeCampaign(t.db);
    const gate = gateAt(2000);
    t.app.jobs.handle(ISSUE_BATCH_JOB, gate.handler);
    const { body } = await marketer.request<Batch>(
      'POST',
      `/api/campaigns/${campaign.id}/batches`,
      {
        count: 10_500,
      },
    );
    t.app.jobs.start();
    await until(
      () => batchOf(body.id),
      (batch) => batch.generated === 2000,
    );

    const stopped = t.app.jobs.stop();
    gate.open();
    await stopped;

    expect(await batchOf(body.id)).toMatchObject({ status: 'queued', generated: 0 });
    expect(await couponsOfCampaign(campaign.id)).toHaveLength(0);
    t.app.jobs.start();
    await until(
      () => batchOf(body.id),
      (batch) => batch.status === 'succeeded',
    );
    expect(await couponsOfCampaign(campaign.id)).toHaveLength(10_500);
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

  it('a count of 0 or above 1,000,000 is refused with 400 validation_failed', async () => {
    const campaign = await makeCampaign(t.db);
    for (const count of [0, 1_000_001, 2.5]) {
      const response = await marketer.request('POST', `/api/campaigns/${campaign.id}/batches`, {
        count,
      });
      expect(response.status).toBe(400);
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
