// A pool of its own for bulk work: CSV exports, imports and batch jobs take
// their connections from the bulk pool, so redemptions never wait for a connection behind them.
// The proof holds the bulk pool's connections (as long exports do), queues more exports and a
// batch job behind them, and redeems meanwhile.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { sql } from 'kysely';
import { poolOf } from '../src/db/database.ts';
import { createTestApp, listen, type TestApp } from './helpers/app.ts';
import { loggedIn, makeCampaign, makeStore, makeUser } from './helpers/factories.ts';
import { issueCoupons } from '../src/modules/coupons/coupons.service.ts';

let t: TestApp;
let baseUrl: string;

beforeAll(async () => {
  t = await createTestApp({ poolSize: 5, config: { databaseBulkPoolSize: 2 } });
  baseUrl = await listen(t.app);
});
afterAll(() => t.close());

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`gave up waiting; last seen ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('the bulk pool', () => {
  it('with exports and a batch holding every bulk connection, redemptions still succeed and the main pool has connections to spare', async () => {
    // a large campaign to export: 50,000 coupons, about 5 MB of CSV each time
    const big = await makeCampaign(t.db);
    // test data, not the product: unbounded, so a slow machine is not a failure
    await t.db.transaction().execute(async (trx) => {
      await sql`set local statement_timeout = 0`.execute(trx);
      await sql`
        insert into coupons (campaign_id, code, max_redemptions)
        select ${big.id}, 'BULK' || lpad(i::text, 10, '0'), 1
          from generate_series(1, 50000) i
      `.execute(trx);
    });
    const store = await makeStore(t.db);
    const staff = await loggedIn(
      baseUrl,
      (await makeUser(t.db, 'staff', { storeId: store.id })).email,
    );
    const marketer = await loggedIn(baseUrl, (await makeUser(t.db, 'marketer')).email);
    const small = await makeCampaign(t.db);
    const coupons = await issueCoupons(t.db, small.id, 10);
    const batchStatus = async (id: string) =>
      (await marketer.request<{ status: string }>('GET', `/api/batches/${id}`)).body.status;

    // the bulk pool's two connections are busy (two long exports, say) …
    const bulk = poolOf(t.bulkDb);
    const main = poolOf(t.db);
    const held = [await bulk.connect(), await bulk.connect()];
    const release = () => {
      for (const client of held.splice(0)) client.release();
    };
    onTestFinished(release);
    // … and four more exports and a batch job wait behind them
    const exportCsv = () =>
      fetch(`${baseUrl}/api/campaigns/${big.id}/coupons.csv`, {
        headers: { cookie: marketer.cookie },
      });
    const exports = [exportCsv(), exportCsv(), exportCsv(), exportCsv()];
    const batch = await marketer.request<{ id: string }>(
      'POST',
      `/api/campaigns/${small.id}/batches`,
      { count: 20_000 },
    );
    expect(batch.status).toBe(202);
    await t.app.jobs.start();
    await until(
      () => Promise.resolve(bulk.waitingCount),
      (waiting) => waiting >= 5,
    );

    // the till keeps working
    for (const coupon of coupons) {
      const redeemed = await staff.redeem(coupon.code);
      expect(redeemed.status).toBe(201);
      expect(main.waitingCount).toBe(0);
    }
    // idle connections to spare: nothing the till does waited for one
    expect(main.idleCount).toBeGreaterThan(0);
    // the exports and the batch are still waiting for the bulk pool, not for the main one
    expect(bulk.waitingCount).toBeGreaterThanOrEqual(5);
    expect(await batchStatus(batch.body.id)).toBe('queued');

    release();
    // once read, every export is whole, and the batch finishes on the bulk pool too
    const answers = await Promise.all(
      exports.map(async (pending) => {
        const response = await pending;
        return { status: response.status, text: await response.text() };
      }),
    );
    for (const { status, text } of answers) {
      expect(status).toBe(200);
      expect(text.trimEnd().split('\n')).toHaveLength(50_001);
    }
    const done = await until(
      async () =>
        (await marketer.request<{ status: string }>('GET', `/api/batches/${batch.body.id}`)).body,
      (b) => b.status === 'succeeded',
    );
    expect(done.status).toBe('succeeded');
    await t.app.jobs.stop();
  }, 120_000);
});
