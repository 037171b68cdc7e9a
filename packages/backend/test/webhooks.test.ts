// Webhooks: events written by triggers in the transaction that makes the change (an outbox),
// dispatched and delivered by the job queue to a real receiver on loopback, signed, retried on
// the configured schedule, each attempt logged; private addresses refused in production.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
  WebhookEventBody,
} from '@couponscan/shared/webhooks';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { webhookFailures } from '../src/lib/metrics.ts';
import { verifySignature } from '../src/modules/webhooks/signature.ts';
import { isPrivateAddress } from '../src/modules/webhooks/url-safety.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { loggedIn, makeCoupon, makeUser, type ApiClient } from './helpers/factories.ts';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A real HTTP receiver on loopback; `answer` decides each request's fate. */
class Receiver {
  readonly requests: Received[] = [];
  private waiters: (() => void)[] = [];
  private readonly server: http.Server;
  answer: (request: Received, res: http.ServerResponse) => void = (_, res) => {
    res.writeHead(204).end();
  };

  constructor() {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const received = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        this.requests.push(received);
        this.answer(received, res);
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
  }

  async start(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${String((this.server.address() as AddressInfo).port)}/hook`;
  }

  /** Resolves once `count` requests have arrived. */
  async received(count: number): Promise<Received[]> {
    while (this.requests.length < count) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return this.requests;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`gave up waiting; last seen ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const WEBHOOKS = {
  refusePrivate: false,
  // generous: no receiver in these tests answers late unless it hangs on purpose
  timeoutMs: 30_000,
  retryDelaysSeconds: [0, 0, 0, 0],
  dispatchIntervalMs: 100,
  dispatchLoopSeconds: 55,
};

/** The workers, and with them the dispatcher (sent at start rather than at the next minute). */
async function startWorkers(t: TestApp) {
  await t.app.jobs.start();
}

async function register(
  admin: ApiClient,
  url: string,
  events: string[],
): Promise<WebhookEndpointWithSecret> {
  const response = await admin.request<WebhookEndpointWithSecret>('POST', '/api/webhooks', {
    url,
    events,
    description: 'till',
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

async function deliveries(admin: ApiClient, endpointId: string): Promise<WebhookDelivery[]> {
  const response = await admin.request<{ items: WebhookDelivery[] }>(
    'GET',
    `/api/webhooks/${endpointId}/deliveries`,
  );
  expect(response.status).toBe(200);
  return response.body.items;
}

async function disableAll(t: TestApp) {
  await t.db.updateTable('webhook_endpoints').set({ enabled: false }).execute();
}

describe('webhooks delivered to a real receiver', () => {
  let t: TestApp;
  let admin: ApiClient;
  let staff: ApiClient;
  let receiver: Receiver;
  let url: string;

  beforeAll(async () => {
    t = await createTestApp({ config: { webhooks: WEBHOOKS } });
    const adminUser = await makeUser(t.db, 'admin');
    admin = await loggedIn(t.app, adminUser.email);
    const staffUser = await makeUser(t.db, 'staff');
    staff = await loggedIn(t.app, staffUser.email);
    receiver = new Receiver();
    url = await receiver.start();
    await startWorkers(t);
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  it('a redemption is announced once, signed with the endpoint secret (t=…,v1=…) over timestamp and body', async () => {
    await disableAll(t);
    receiver.requests.length = 0;
    receiver.answer = (_, res) => res.writeHead(200).end('ok');
    const endpoint = await register(admin, url, ['redemption.created']);
    expect(endpoint.secret).toMatch(/^whsec_/);
    const { coupon } = await makeCoupon(t.db);
    const redeemed = await staff.redeem(coupon.code);
    expect(redeemed.status).toBe(201);

    const [request] = await receiver.received(1);
    if (request === undefined) throw new Error('nothing received');
    const signature = String(request.headers['couponscan-signature']);
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const now = Math.floor(Date.now() / 1000);
    expect(verifySignature(endpoint.secret, signature, request.body, now)).toBe(true);
    expect(verifySignature(endpoint.secret, signature, `${request.body} `, now)).toBe(false);
    expect(verifySignature('whsec_other', signature, request.body, now)).toBe(false);

    const event = JSON.parse(request.body) as WebhookEventBody;
    expect(event.type).toBe('redemption.created');
    expect(request.headers['couponscan-event-id']).toBe(event.id);
    expect(request.headers['couponscan-event-type']).toBe('redemption.created');
    expect(request.headers['content-type']).toBe('application/json');
    const redemption = (redeemed.body as { redemption: { id: string } }).redemption;
    expect(event.data).toMatchObject({
      id: redemption.id,
      kind: 'redemption',
      couponId: coupon.id,
      code: coupon.code,
    });

    const [delivery] = await until(
      () => deliveries(admin, endpoint.id),
      (items) => items[0]?.status === 'succeeded',
    );
    expect(delivery?.attempts).toEqual([
      expect.objectContaining({ number: 1, statusCode: 200, error: null }),
    ]);
  });

  it('undoing a redemption announces redemption.reversed, naming the redemption it undoes', async () => {
    await disableAll(t);
    receiver.requests.length = 0;
    receiver.answer = (_, res) => res.writeHead(200).end();
    const endpoint = await register(admin, url, ['redemption.reversed']);
    const { coupon } = await makeCoupon(t.db);
    const redeemed = await staff.redeem(coupon.code);
    const redemptionId = (redeemed.body as { redemption: { id: string } }).redemption.id;
    const reversal = await staff.request('POST', `/api/redemptions/${redemptionId}/reversal`, {
      reason: 'scanned by mistake',
    });
    expect(reversal.status).toBe(201);
    await until(
      () => deliveries(admin, endpoint.id),
      (items) => items[0]?.status === 'succeeded',
    );
    // only the reversal: the endpoint does not subscribe to redemption.created
    expect(receiver.requests).toHaveLength(1);
    expect(JSON.parse(receiver.requests[0]?.body ?? '{}')).toMatchObject({
      type: 'redemption.reversed',
      data: {
        id: reversal.body.id,
        kind: 'reversal',
        reversesId: redemptionId,
        reason: 'scanned by mistake',
      },
    });
  });

  it('events older than 30 days are deleted with their deliveries; newer ones stay', async () => {
    await disableAll(t);
    const endpoint = await register(admin, url, ['coupon.voided']);
    const [old, recent] = await t.db
      .insertInto('webhook_events')
      .values([
        { type: 'coupon.voided', data: '{}', dispatched_at: new Date() },
        { type: 'coupon.voided', data: '{}', dispatched_at: new Date() },
      ])
      .returning('id')
      .execute();
    if (old === undefined || recent === undefined) throw new Error('not inserted');
    await sql`update webhook_events set created_at = now() - interval '31 days' where id = ${old.id}`.execute(
      t.db,
    );
    await t.db
      .insertInto('webhook_deliveries')
      .values([
        { endpoint_id: endpoint.id, event_id: old.id, status: 'succeeded' },
        { endpoint_id: endpoint.id, event_id: recent.id, status: 'succeeded' },
      ])
      .execute();
    await t.app.jobs.send(t.db, 'purge_webhook_history', {});
    await until(
      () => t.db.selectFrom('webhook_events').select('id').where('id', '=', old.id).execute(),
      (rows) => rows.length === 0,
    );
    const left = await t.db
      .selectFrom('webhook_deliveries')
      .select('event_id')
      .where('endpoint_id', '=', endpoint.id)
      .execute();
    expect(left).toEqual([{ event_id: recent.id }]);
  });

  it('a receiver that fails 3 times then succeeds gets the event exactly once more: 4 attempts, all logged', async () => {
    await disableAll(t);
    receiver.requests.length = 0;
    let calls = 0;
    receiver.answer = (_, res) => {
      calls += 1;
      res.writeHead(calls <= 3 ? 500 : 200).end();
    };
    const failuresBefore = (await webhookFailures.get()).values
      .filter((v) => v.labels.reason === 'http_status')
      .reduce((sum, v) => sum + v.value, 0);
    const endpoint = await register(admin, url, ['coupon.voided']);
    const { coupon } = await makeCoupon(t.db);
    const voided = await admin.request('POST', `/api/coupons/${coupon.code}/void`, {
      reason: 'torn',
    });
    expect(voided.status).toBe(200);

    const [delivery] = await until(
      () => deliveries(admin, endpoint.id),
      (items) => items[0] !== undefined && items[0].status !== 'pending',
    );
    expect(delivery?.status).toBe('succeeded');
    expect(delivery?.attempts.map((a) => a.statusCode)).toEqual([500, 500, 500, 200]);
    expect(delivery?.attempts.map((a) => a.number)).toEqual([1, 2, 3, 4]);
    expect(receiver.requests).toHaveLength(4);
    const ids = new Set(receiver.requests.map((r) => r.headers['couponscan-event-id']));
    expect(ids.size).toBe(1);
    expect(JSON.parse(receiver.requests[3]?.body ?? '{}')).toMatchObject({
      type: 'coupon.voided',
      data: { id: coupon.id, code: coupon.code, reason: 'torn' },
    });
    // nothing left to send: no job for this delivery waits or runs
    const jobs = await t.app.jobs.boss.findJobs('deliver_webhook', {
      data: { deliveryId: delivery?.id },
    });
    expect(jobs.filter((j) => !['completed', 'cancelled', 'failed'].includes(j.state))).toEqual([]);
    // the failures are counted in the metrics
    const failuresAfter = (await webhookFailures.get()).values
      .filter((v) => v.labels.reason === 'http_status')
      .reduce((sum, v) => sum + v.value, 0);
    expect(failuresAfter - failuresBefore).toBe(3);
  });

  it('once the retries are used up the delivery has failed; an admin can re-send it, with the same event id', async () => {
    await disableAll(t);
    receiver.requests.length = 0;
    let failing = true;
    receiver.answer = (_, res) => res.writeHead(failing ? 503 : 200).end();
    const endpoint = await register(admin, url, ['batch.finished']);
    const { campaign } = await makeCoupon(t.db);
    const batch = await t.db
      .insertInto('batches')
      .values({ campaign_id: campaign.id, count: 1, status: 'running' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db
      .updateTable('batches')
      .set({ status: 'succeeded', generated: 1, finished_at: new Date() })
      .where('id', '=', batch.id)
      .execute();

    const [failed] = await until(
      () => deliveries(admin, endpoint.id),
      (items) => items[0]?.status === 'failed',
    );
    // the first attempt and one per retry delay
    expect(failed?.attempts).toHaveLength(WEBHOOKS.retryDelaysSeconds.length + 1);
    expect(failed?.lastError).toMatch(/503/);

    failing = false;
    const resent = await admin.request<WebhookDelivery>(
      'POST',
      `/api/webhooks/${endpoint.id}/deliveries/${failed?.id ?? ''}/resend`,
    );
    expect(resent.status).toBe(202);
    expect(resent.body).toMatchObject({ eventId: failed?.eventId, status: 'pending' });
    const items = await until(
      () => deliveries(admin, endpoint.id),
      (list) => list.find((d) => d.id === resent.body.id)?.status === 'succeeded',
    );
    expect(items).toHaveLength(2);
    const last = receiver.requests.at(-1);
    expect(last?.headers['couponscan-event-id']).toBe(failed?.eventId);
    expect(JSON.parse(last?.body ?? '{}')).toMatchObject({
      type: 'batch.finished',
      data: { id: batch.id, status: 'succeeded', generated: 1 },
    });
  });

  it('a rolled-back redemption announces nothing', async () => {
    await disableAll(t);
    receiver.requests.length = 0;
    receiver.answer = (_, res) => res.writeHead(200).end();
    const endpoint = await register(admin, url, ['redemption.created']);
    const { coupon } = await makeCoupon(t.db);
    const staffRow = await makeUser(t.db, 'staff');
    let rolledBackId = '';
    await expect(
      t.db.transaction().execute(async (trx) => {
        const storeId = staffRow.store_id ?? '';
        const scan = await trx
          .insertInto('scans')
          .values({
            coupon_id: coupon.id,
            code: coupon.code,
            outcome: 'redeemed',
            store_id: storeId,
            user_id: staffRow.id,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        const entry = await trx
          .insertInto('transactions')
          .values({
            kind: 'redemption',
            coupon_id: coupon.id,
            store_id: storeId,
            user_id: staffRow.id,
            scan_id: scan.id,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        rolledBackId = entry.id;
        // the event is written in the same transaction as the redemption…
        const inside = await trx
          .selectFrom('webhook_events')
          .select('id')
          .where(sql<boolean>`data->>'id' = ${entry.id}`)
          .execute();
        expect(inside).toHaveLength(1);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    // …and goes with it
    const after = await t.db
      .selectFrom('webhook_events')
      .select('id')
      .where(sql<boolean>`data->>'id' = ${rolledBackId}`)
      .execute();
    expect(after).toEqual([]);

    // a redemption committed afterwards is delivered, and it is the only one
    const redeemed = await staff.redeem(coupon.code);
    expect(redeemed.status).toBe(201);
    await until(
      () => deliveries(admin, endpoint.id),
      (items) => items[0]?.status === 'succeeded',
    );
    expect(await deliveries(admin, endpoint.id)).toHaveLength(1);
    expect(receiver.requests).toHaveLength(1);
    expect(JSON.parse(receiver.requests[0]?.body ?? '{}')).toMatchObject({
      data: { id: (redeemed.body as { redemption: { id: string } }).redemption.id },
    });
  });

  it('the triggers write no event when no enabled endpoint wants it, and never NOTIFY', async () => {
    await disableAll(t);
    const before = await t.db
      .selectFrom('webhook_events')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();
    const { coupon } = await makeCoupon(t.db);
    expect((await staff.redeem(coupon.code)).status).toBe(201);
    const after = await t.db
      .selectFrom('webhook_events')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
    const functions = await sql<{ proname: string; prosrc: string }>`
      select proname, prosrc from pg_proc where proname like 'webhook\\_%'
    `.execute(t.db);
    expect(functions.rows.length).toBeGreaterThanOrEqual(4);
    for (const fn of functions.rows) expect(fn.prosrc, fn.proname).not.toMatch(/notify/i);
  });

  it('a disabled endpoint gets nothing; deleting one removes its log', async () => {
    await disableAll(t);
    const endpoint = await register(admin, url, ['coupon.voided']);
    const disabled = await admin.request<WebhookEndpoint>('PATCH', `/api/webhooks/${endpoint.id}`, {
      enabled: false,
    });
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ enabled: false, events: ['coupon.voided'] });
    expect(disabled.body).not.toHaveProperty('secret');
    // no enabled endpoint wants coupon.voided now: voiding writes no event for anyone
    const countEvents = async () =>
      (
        await t.db
          .selectFrom('webhook_events')
          .select(sql<number>`count(*)::int`.as('n'))
          .where('type', '=', 'coupon.voided')
          .executeTakeFirstOrThrow()
      ).n;
    const before = await countEvents();
    const { coupon } = await makeCoupon(t.db);
    const voided = await admin.request('POST', `/api/coupons/${coupon.code}/void`, {
      reason: 'torn',
    });
    expect(voided.status).toBe(200);
    expect(await countEvents()).toBe(before);
    expect(await deliveries(admin, endpoint.id)).toEqual([]);
    const listed = await admin.request<{ items: WebhookEndpoint[] }>('GET', '/api/webhooks');
    expect(listed.body.items.find((e) => e.id === endpoint.id)).not.toHaveProperty('secret');

    const rotated = await admin.request<WebhookEndpointWithSecret>(
      'POST',
      `/api/webhooks/${endpoint.id}/secret`,
    );
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(endpoint.secret);

    expect((await admin.request('DELETE', `/api/webhooks/${endpoint.id}`)).status).toBe(204);
    const gone = await admin.request('GET', `/api/webhooks/${endpoint.id}/deliveries`);
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ code: 'not_found' });
  });

  it('only admins manage webhooks; a URL that is not https (or http to loopback) is refused', async () => {
    expect((await staff.request('GET', '/api/webhooks')).status).toBe(403);
    const plain = await admin.request('POST', '/api/webhooks', {
      url: 'http://example.com/hook',
      events: ['coupon.voided'],
    });
    expect(plain.status).toBe(422);
    expect(plain.body).toMatchObject({ code: 'validation_failed' });
    const noEvents = await admin.request('POST', '/api/webhooks', { url, events: [] });
    expect(noEvents.status).toBe(422);
    const unknownEvent = await admin.request('POST', '/api/webhooks', {
      url,
      events: ['coupon.eaten'],
    });
    expect(unknownEvent.status).toBe(422);
  });
});

describe('a receiver that hangs', () => {
  let t: TestApp;
  let receiver: Receiver;
  let url: string;

  beforeAll(async () => {
    t = await createTestApp({
      config: { webhooks: { ...WEBHOOKS, timeoutMs: 300, retryDelaysSeconds: [] } },
    });
    receiver = new Receiver();
    url = await receiver.start();
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  it('times out, and the attempt is logged with the timeout', async () => {
    // never answers
    receiver.answer = () => undefined;
    const admin = await loggedIn(t.app, (await makeUser(t.db, 'admin')).email);
    const endpoint = await register(admin, url, ['coupon.voided']);
    const { coupon } = await makeCoupon(t.db);
    await admin.request('POST', `/api/coupons/${coupon.code}/void`, { reason: 'lost' });
    await startWorkers(t);
    const [delivery] = await until(
      () => deliveries(admin, endpoint.id),
      (items) => items[0]?.status === 'failed',
    );
    expect(receiver.requests).toHaveLength(1);
    expect(delivery?.attempts).toEqual([
      expect.objectContaining({ number: 1, statusCode: null, error: 'no answer within 0.3 s' }),
    ]);
  });
});

describe('private addresses in production', () => {
  let t: TestApp;
  let receiver: Receiver;
  let url: string;

  beforeAll(async () => {
    t = await createTestApp({ config: { webhooks: { ...WEBHOOKS, refusePrivate: true } } });
    receiver = new Receiver();
    url = await receiver.start();
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  it('production refuses them unless WEBHOOKS_ALLOW_PRIVATE=true', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).webhooks.refusePrivate).toBe(true);
    expect(
      loadConfig({ NODE_ENV: 'production', WEBHOOKS_ALLOW_PRIVATE: 'true' }).webhooks.refusePrivate,
    ).toBe(false);
    expect(loadConfig({}).webhooks.refusePrivate).toBe(false);
  });

  it('knows which addresses are private', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:a9fe:a9fe',
    ])
      expect(isPrivateAddress(address), address).toBe(true);
    for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8'])
      expect(isPrivateAddress(address), address).toBe(false);
  });

  it('registering a URL that resolves to a loopback or private address is refused with webhook_url_refused', async () => {
    const admin = await loggedIn(t.app, (await makeUser(t.db, 'admin')).email);
    for (const candidate of [
      url,
      'https://10.0.0.7/hook',
      'https://[::1]/hook',
      'https://localhost/hook',
    ]) {
      const response = await admin.request('POST', '/api/webhooks', {
        url: candidate,
        events: ['coupon.voided'],
      });
      expect(response.status, candidate).toBe(422);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body, candidate).toMatchObject({ code: 'webhook_url_refused' });
    }
    expect(await t.db.selectFrom('webhook_endpoints').select('id').execute()).toEqual([]);
  });

  it('a URL that turns private after registration is refused at delivery, and the attempt is logged', async () => {
    const admin = await loggedIn(t.app, (await makeUser(t.db, 'admin')).email);
    // as if its DNS had changed since it was registered
    const endpoint = await t.db
      .insertInto('webhook_endpoints')
      .values({
        url: url.replace('127.0.0.1', 'localhost'),
        events: ['coupon.voided'],
        secret: 'whsec_x',
        created_by: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const { coupon } = await makeCoupon(t.db);
    await admin.request('POST', `/api/coupons/${coupon.code}/void`, { reason: 'lost' });
    await startWorkers(t);
    const [delivery] = await until(
      () => deliveries(admin, endpoint.id),
      (items) => items[0]?.status === 'failed',
    );
    expect(delivery?.attempts).toHaveLength(WEBHOOKS.retryDelaysSeconds.length + 1);
    expect(delivery?.attempts[0]).toMatchObject({
      statusCode: null,
      error: 'localhost resolves to a loopback or private address',
    });
    expect(receiver.requests).toEqual([]);
  });
});
